"""A body's actions as its members meet them: the one already proposed for a call, so that each member
who runs the same command approves that action instead of proposing another copy of it."""

from __future__ import annotations

from orchestrator.operations.roll import Calls

ACTION = "(address,bytes,uint256,uint256,bool,string)"  # Body.Action


def open_action(body, target: str, data: bytes) -> int | None:
    """The oldest action of `body` calling exactly `data` on `target` that has not executed, or None. The
    actions are read in JSON-RPC batches (a body acts often; one call each would be slow)."""
    calls = Calls(body.w3)
    for action_id in range(body.functions.actionCount().call()):
        calls.add(body.address, "action(uint256)", [action_id], [ACTION])
    for action_id, (action,) in enumerate(calls.run()):
        action_target, action_data, _, _, executed, _ = action
        if not executed and action_target.lower() == target.lower() and bytes(action_data) == bytes(data):
            return action_id
    return None
