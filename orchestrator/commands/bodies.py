"""`consortium body list|show|propose|spend|approve`: the consortium's bodies, and their members acting k of n
within their mandate. A function is named as people know it (`treasury:spendBudget`), resolved from the
target contract's ABI; every action created is printed with its id, for the other members to approve."""

from __future__ import annotations

import re
import shlex

import click
from eth_utils import function_signature_to_4byte_selector, is_address, to_checksum_address

from orchestrator.chain.amounts import ETH, asset_of, parse_amount
from orchestrator.chain.proposals import receipt_events
from orchestrator.commands.common import pass_session
from orchestrator.errors import InputError
from orchestrator.operations import governance as gv
from orchestrator.operations.calls import Words
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.operations.session import Session

BODY_KINDS = ["council", "technical-committee", "working-group", "secretariat"]


def body_address(session: Session, text: str) -> str:
    """A body by address or by name; any other address passes through (a budget may go to anyone)."""
    if is_address(text):
        return to_checksum_address(text)
    for address in session.body_factory.functions.bodies().call():
        if session.body(address).functions.name().call() == text:
            return address
    raise InputError(f"no body named {text!r}: see `consortium body list`")


def member_body(session: Session, text: str):
    """The body `text` names (an address or a name), refused unless it is one of this consortium's bodies."""
    body = session.body(body_address(session, text))
    if not session.body_factory.functions.isBody(body.address).call():
        raise InputError(f"{body.address} is not one of this consortium's bodies")
    return body


def _known_contract(session: Session, address: str):
    """(the name people call it, its web3 contract) when `address` is one of the suite's contracts or one of
    its bodies; None for any other address (its ABI is unknown here)."""
    for name, attribute in gv.CONTRACT_NAMES.items():
        if getattr(session.deployment, attribute) == address:
            return name, getattr(session, attribute)
    if session.body_factory.functions.isBody(address).call():
        return "body", session.body(address)
    return None


def _signature(item: dict) -> str:
    return f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"


def _callable(contract_) -> list[dict]:
    """The functions of a contract that change state: the ones a body's action can usefully call."""
    return [i for i in contract_.abi if i.get("type") == "function" and i["stateMutability"] not in ("view", "pure")]


def resolve_function(session: Session, target_text: str, function: str) -> tuple[str, str]:
    """(target address, signature) for TARGET and FUNCTION: a full signature as given, or a bare function
    name looked up in the target's ABI (one of the suite's contracts or bodies), when it names exactly one."""
    address = gv.target(session, target_text)
    if "(" in function:
        return address, function
    if not re.fullmatch(r"[A-Za-z_]\w*", function):
        raise InputError(f"function {function!r}: give its name (spendBudget) or its signature "
                         "(spendBudget(address,address,uint256,string))")
    known = _known_contract(session, address)
    if known is None:
        raise InputError(f"{target_text} is not one of the consortium's contracts, so its functions are unknown "
                         f"here: give the full signature, e.g. {function}(address,uint256)")
    name, contract_ = known
    functions = _callable(contract_)
    found = sorted(_signature(i) for i in functions if i["name"] == function)
    if not found:
        names = ", ".join(sorted({i["name"] for i in functions}))
        raise InputError(f"{name} has no function {function!r} a body could call; its functions are: {names}")
    if len(found) > 1:
        raise InputError(f"{name}:{function} is overloaded: give one of {', '.join(found)}")
    return address, found[0]


def mandate_entries(session: Session, entries: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """--mandate/--allow/--disallow TARGET:FUNCTION entries as (target, selector): FUNCTION a name
    (treasury:spendBudget), a full signature or a 4-byte selector (0x12345678)."""
    mandate = []
    for entry in entries:
        target, sep, function = entry.partition(":")
        if not sep or not function:
            raise InputError(f"mandate entry {entry!r}: give TARGET:FUNCTION, e.g. treasury:spendBudget")
        if function.startswith("0x"):
            mandate.append((gv.target(session, target), gv.selector(function)))
            continue
        address, signature = resolve_function(session, target, function)
        mandate.append((address, gv.selector(signature)))
    return mandate


def _uint_arguments(signature: str, args: list[str]) -> list[str]:
    """Arguments with an amount written with its unit (0.8 ether) in a uint position turned into wei; a bare
    integer stays what it is (an id, a count, or an amount already in wei)."""
    types = [t for t in signature[signature.index("(") + 1 : -1].split(",") if t] if "(" in signature else []
    converted = []
    for position, text in enumerate(args):
        if position < len(types) and types[position].startswith("uint") and re.match(r"\s*[-+.\d]", text):
            try:
                int(text, 0)
            except ValueError:
                text = str(parse_amount(text))
        converted.append(text)
    return converted


@click.group()
def body() -> None:
    """The consortium's bodies: list, show, and act in one (propose, spend, approve)."""


@body.command(name="list")
@pass_session
def list_(session: Session) -> None:
    """Every body with its kind, threshold and members."""
    addresses = session.body_factory.functions.bodies().call()
    if not addresses:
        click.echo("no bodies yet")
    for address in addresses:
        f = session.body(address).functions
        state = " (dissolved)" if f.dissolved().call() else ""
        members = ", ".join(map(str, f.members().call()))
        click.echo(f"{address}  {BODY_KINDS[f.kind().call()]:19} {f.name().call()}{state}: "
                   f"{f.threshold().call()} of members {members}")


@body.command()
@click.argument("body_ref", metavar="BODY")
@pass_session
def show(session: Session, body_ref: str) -> None:
    """A body's members, budget, mandate (by function) and actions."""
    b = member_body(session, body_ref)
    f = b.functions
    threshold = f.threshold().call()
    click.echo(f"{f.name().call()} ({BODY_KINDS[f.kind().call()]}) at {b.address}"
               f"{' — dissolved' if f.dissolved().call() else ''}")
    click.echo(f"  approvals needed: {threshold} of {len(f.members().call())}")
    words = Words(session)
    click.echo(f"  members: {words.members(f.members().call())}")
    t = session.treasury.functions
    dues_token = t.duesToken().call()
    budgets = [ETH.format(t.budgetOf(b.address, ZERO_ADDRESS).call())]
    if dues_token != ZERO_ADDRESS:
        budgets.append(asset_of(session.w3, dues_token).format(t.budgetOf(b.address, dues_token).call()))
    click.echo(f"  budget left: {', '.join(budgets)}")
    mandate = {}
    for log in b.events.MandateSet().get_logs(from_block=session.deployment.block):
        mandate[(log["args"]["target"], log["args"]["selector"])] = log["args"]["allowed"]
    click.echo("  mandate:")
    for (target, selector), allowed in mandate.items():
        if allowed:
            click.echo(f"    {_described(session, target, selector)}")
    click.echo("  actions:")
    for action_id in range(f.actionCount().call()):
        target, _, proposer, approvals, executed, description = f.action(action_id).call()
        status = "executed" if executed else f"{approvals} of {threshold} approval(s)"
        click.echo(f"    #{action_id} by {words.member(proposer)}: {description} — {status}")


def _described(session: Session, target: str, selector: bytes) -> str:
    """A mandate entry as `spendBudget(address,address,uint256,string) on treasury (0x…)`."""
    known = _known_contract(session, target)
    if known is None:
        return f"0x{selector.hex()} on {target}"
    name, contract_ = known
    signatures = [_signature(i) for i in _callable(contract_)
                  if function_signature_to_4byte_selector(_signature(i)) == selector]
    return f"{signatures[0] if signatures else '0x' + selector.hex()} on {name} ({target})"


@body.command(name="propose")
@click.argument("body_ref", metavar="BODY")
@click.argument("target")
@click.argument("function")
@click.argument("args", nargs=-1)
@click.option("--description", required=True, help="What the action is for (public).")
@pass_session
def propose_action(session: Session, body_ref: str, target: str, function: str, args, description: str) -> None:
    """Propose that BODY calls FUNCTION (a name like spendBudget, or a signature) on TARGET (an address or
    treasury/standards/…) with ARGS (amounts in uint arguments may carry their unit: 0.8 ether); your
    approval is counted, and the approval that reaches the threshold executes it."""
    b = member_body(session, body_ref)
    address, signature = resolve_function(session, target, function)
    call = gv.raw_call(address, signature, _uint_arguments(signature, list(args)))
    propose_and_report(session, b, call.target, call.data, description)


@body.command()
@click.argument("body_ref", metavar="BODY")
@click.argument("amount")
@click.argument("recipient")
@click.option("--memo", required=True, help="What the payment is for (public, in the treasury's event).")
@click.option("--token", default="eth", show_default=True, help="`eth` or an ERC-20 address.")
@click.option("--description", help="What the action is for (public); by default the payment and its memo.")
@pass_session
def spend(session: Session, body_ref: str, amount: str, recipient: str, memo: str, token: str,
          description: str | None) -> None:
    """Propose that BODY pays AMOUNT (e.g. 0.8 ether, or 25 USDC for an ERC-20) to RECIPIENT from its
    treasury budget (the treasury's spendBudget, which its mandate must allow)."""
    b = member_body(session, body_ref)
    token_address = gv.token(token)
    asset = asset_of(session.w3, token_address)
    value = parse_amount(amount, asset)
    if value == 0:
        raise InputError("a payment must be more than zero")
    to = gv.address(recipient, "recipient")
    call = gv.contract_call(session.treasury, "spendBudget", token_address, to, value, memo)
    propose_and_report(session, b, call.target, call.data, description or f"Pay {asset.format(value)} to {to}: {memo}")


@body.command()
@click.argument("body_ref", metavar="BODY")
@click.argument("action_id", type=click.IntRange(0))
@pass_session
def approve(session: Session, body_ref: str, action_id: int) -> None:
    """Approve BODY's action ACTION_ID; if yours is the approval that reaches the threshold, it executes."""
    b = member_body(session, body_ref)
    receipt = session.sender.transact(session.w3, b.functions.approve(action_id), "approve")
    report_action(b, receipt, action_id)


def propose_and_report(session: Session, b, target: str, data: bytes, description: str) -> int:
    """Propose an action in body `b` and print its id and standing; returns the id."""
    receipt = session.sender.transact(session.w3, b.functions.propose(target, data, description), "body action")
    action_id = proposed_action_id(b, receipt)
    report_action(b, receipt, action_id)
    return action_id


def proposed_action_id(b, receipt) -> int:
    """The id of the action `receipt` proposed in body `b`."""
    return [e for e in receipt_events(b, receipt, "ActionProposed") if e["address"] == b.address][0]["args"]["actionId"]


def report_action(b, receipt, action_id: int) -> None:
    """`action #N in BODY: k of n approval(s), executed` or, while it waits, how the others approve it."""
    approvals = [e for e in receipt_events(b, receipt, "ActionApproved") if e["address"] == b.address][-1]["args"]
    executed = any(e["address"] == b.address for e in receipt_events(b, receipt, "ActionExecuted"))
    name, threshold = b.functions.name().call(), b.functions.threshold().call()
    standing = f"{approvals['approvals']} of {threshold} approval(s)"
    if executed:
        standing += ", executed"
    else:
        standing += (f", not executed yet: another member of the body approves it with "
                     f"`consortium body approve {shlex.quote(name)} {action_id}`")
    click.echo(f"action #{action_id} in {name}: {standing} (transaction {receipt['transactionHash'].to_0x_hex()})")
