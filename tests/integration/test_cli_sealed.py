"""Sealed proposals through the CLI on a real devnet: `propose … --sealed` (and its refusals), `proposal show|list`
saying the phases, `vote` committing from the member's wallet, `reveal` finding the committed vote from the salt the
wallet derives again, every refusal by its message, and the attacks a member's reveal meets: a front-run (someone
holding the vote and salt reveals first: the same vote counts, and the member is told it is revealed) and a replayed
reveal (already voted)."""

import re

import pytest
from eth_account import Account

from orchestrator.chain.node import Sender
from orchestrator.chain.reverts import decode_revert, utc
from orchestrator.chain.wallet import Keystores
from orchestrator.commands.common import when
from orchestrator.operations import sealed
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots
from tests.integration.conftest import PASSPHRASE

PAY = ("propose", "spend", "1 ether", "0x" + "11" * 20, "--memo", "m")


def pid_of(out: str) -> str:
    return re.search(r"proposal (\d+)", out).group(1)


class Chain:
    def __init__(self, cli, w3):
        self.cli, self.w3 = cli, w3
        self.governor = contract(w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])

    def now(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"]

    def times(self, pid: str) -> tuple[int, int]:
        g = self.governor.functions
        return g.proposalRevealStart(int(pid)).call(), g.proposalDeadline(int(pid)).call()

    def key(self, name: str):
        return Keystores(self.cli.dir / "keys").unlock(name, PASSPHRASE)

    def salt(self, name: str, pid: str) -> bytes:
        account = self.key(name)
        g = self.governor.functions
        domain = ballots.domain(g.name().call(), self.w3.eth.chain_id, self.governor.address, g.version().call())
        return sealed.salt(domain, int(pid), account)

    def send(self, fn, sender: str) -> dict:
        """`fn` sent by a node-held account (an address) or by a wallet of the CLI's keystore (its name)."""
        if sender.startswith("0x"):
            return self.w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender}))
        return Sender.local(self.key(sender)).transact(self.w3, fn, "test")

    def rejected(self, receipt) -> list[str]:
        return [sealed.rejection(e["args"]["reason"])
                for e in self.governor.events.BallotRejected().process_receipt(receipt)]

    def phases(self, pid: str, now: int) -> str:
        start, deadline = self.times(pid)
        return (f"sealed: commitments until {utc(start)}, reveals from {when(start, now)} to the deadline "
                f"{utc(deadline)}")


@pytest.fixture
def chain(cli, w3, consortium):
    return Chain(cli, w3)


def test_a_sealed_proposal_is_proposed_and_shown_with_its_phases(cli, chain):
    out = cli.ok(*PAY, "--description", "Pay the venue", "--sealed", account="f1")
    pid = pid_of(out)
    start, deadline = chain.times(pid)
    assert deadline - start == 100  # the last third of a 300 s voting period
    assert out == (f"proposal {pid}\nkind: ordinary\nsealed: commitments until {utc(start)}, reveals from {utc(start)} "
                   f"to the deadline {utc(deadline)}\n")
    now = chain.now()
    shown = cli.ok("proposal", "show", pid)
    assert "  Pay the venue #sealed\n" in shown
    assert f"  {chain.phases(pid, now)}; 0 member(s) committed\n" in shown
    assert f"  the tally is sealed until {when(start, now)}\n  recused: nobody\n" in shown
    assert "founding" not in shown  # no table of zeros before the reveals
    listed = cli.ok("proposal", "list")
    assert f"Pay the venue #sealed\n              {chain.phases(pid, now)}\n" in listed
    # A description that already ends with the seal is sealed, with or without --sealed, and not sealed twice.
    again = pid_of(cli.ok(*PAY, "--description", "Again #sealed", "--sealed", account="f1"))
    assert "  Again #sealed\n" in cli.ok("proposal", "show", again)
    assert chain.times(again)[0] != 0
    # A bundle is sealed whole; an open proposal says nothing of seals.
    out = cli.ok("propose", "bundle", "--action", "spend 1wei 0x" + "22" * 20 + " --memo a", "--description", "B",
                 "--sealed", account="f2")  # three open proposals at most per member
    assert "\nsealed: commitments until " in out
    out = cli.ok(*PAY, "--description", "Open", account="r1")
    assert "sealed" not in out and "sealed" not in cli.ok("proposal", "show", pid_of(out))


def test_sealing_keeps_a_reservation_and_refuses_a_sealed_action_in_a_bundle(cli, chain, consortium):
    """A description reserved to its proposer (OZ's #proposer=0x…) keeps the reservation: the seal goes before
    it, where the governor reads it too, so nobody can make the sealed proposal first and cancel it."""
    reserved = f"Mine #proposer={consortium['f1']}"
    out = cli.ok(*PAY, "--description", reserved, "--sealed", account="f1")
    assert "\nsealed: commitments until " in out
    assert f"  Mine #sealed#proposer={consortium['f1']}\n" in cli.ok("proposal", "show", pid_of(out))
    action = "spend 1wei 0x" + "22" * 20 + " --memo a --sealed"
    assert cli.fails("propose", "bundle", "--action", action, "--description", "B", account="f1") == (
        f"Error: action 1 `{action}`: seal the bundle (--sealed), not an action")


def test_members_commit_then_reveal_and_every_refusal_is_said(cli, chain, consortium):
    pid = pid_of(cli.ok(*PAY, "--description", "Pay", "--sealed", account="f1"))
    start, deadline = chain.times(pid)
    now = chain.now()
    snapshot = chain.governor.functions.proposalSnapshot(int(pid)).call()
    assert cli.fails("vote", pid, "for", account="f1") == (
        f"Error: proposal {pid} is Pending: commitments are taken from {when(snapshot + 1, now)} until "
        f"{when(start, now)}")
    cli.advance(2)
    for flags, message in (
            (["--reason", "why"], f"proposal {pid} is sealed: a sealed vote carries no reason (its reveal publishes "
                                  "the vote alone); leave out --reason"),
            (["--voter", "1", "--calldata"], f"proposal {pid} is sealed: a Safe member's sealed vote is not "
                                             "supported by the CLI yet (its salt cannot come from a deterministic "
                                             "signature)")):
        assert cli.fails("vote", pid, "for", *flags, account="f1") == f"Error: {message}"
    assert cli.fails("vote", pid, "for") == (  # the devnet's node-held account: no key to derive a salt from
        f"Error: {cli.w3.eth.accounts[0]} is not the seat of a current member")
    stranger = cli.wallet("stranger")
    assert cli.fails("vote", pid, "for", account="stranger") == (
        f"Error: {stranger} is not the seat of a current member")
    cli.ok("member", "recuse", pid, "--reason", "advises the payee", account="r2")
    assert cli.fails("vote", pid, "for", account="r2") == (
        f"Error: not committed: the governor refused member 4 Co's commitment: recused (member 4 Co is recused from "
        f"proposal {pid} (a declared conflict, or the proposal is about it))")
    now = chain.now()
    outputs = {name: cli.ok("vote", pid, support, account=name)
               for name, support in (("f1", "for"), ("f2", "against"), ("r1", "abstain"))}
    tx = re.search(r"in transaction (\w+);", outputs["f1"]).group(1)
    assert outputs["f1"] == (f"committed to a sealed vote on proposal {pid} in transaction {tx}; nobody can see it "
                             f"until it is revealed; reveal it from {when(start, now)} with `consortium reveal "
                             f"{pid}`\n")
    # Committed, nothing is counted: the governor's own tallies are zero.
    assert chain.governor.functions.proposalVotes(int(pid)).call() == [0, 0, 0]
    now = chain.now()
    assert cli.fails("vote", pid, "against", account="f1") == (
        f"Error: member 1 Co already committed to a sealed vote on proposal {pid} (one commitment per member, never "
        f"replaced); reveal it from {when(start, now)} with `consortium reveal {pid}`")
    assert cli.fails("reveal", pid, account="f1") == (
        f"Error: not yet: reveals of proposal {pid} open at {when(start, now)}, until the deadline "
        f"{when(deadline, now)}")
    assert cli.fails("reveal", pid, account="r2") == (
        f"Error: member 4 Co has not committed to a vote on proposal {pid}: commit with `consortium vote {pid} "
        f"for|against|abstain` until {when(start, now)}")
    assert "; 3 member(s) committed\n" in cli.ok("proposal", "show", pid)
    cli.advance(start - now)
    now = chain.now()
    assert cli.fails("vote", pid, "for", account="f1") == (
        f"Error: commitments to proposal {pid} closed at {when(start, now)}; reveal with `consortium reveal {pid}` "
        f"until the deadline {when(deadline, now)}")
    assert cli.fails("vote", pid, "for", account="r2") == (
        f"Error: commitments to proposal {pid} closed at {when(start, now)}; member 4 Co did not commit and has no "
        "vote on it")
    assert cli.fails("reveal", pid, account="r2") == (
        f"Error: member 4 Co did not commit to a vote on proposal {pid} before commitments closed at "
        f"{when(start, now)}: there is nothing to reveal")
    out = cli.ok("reveal", pid, account="f1")
    tx = re.search(r"in transaction (\w+)", out).group(1)
    assert out == f"revealed: member 1 Co voted for on proposal {pid} with weight 3 in transaction {tx}\n"
    assert cli.ok("reveal", pid, account="f2").startswith(f"revealed: member 2 Co voted against on proposal {pid} "
                                                          "with weight 3 in transaction ")
    assert chain.governor.functions.proposalVotes(int(pid)).call() == [3, 3, 0]
    # Replayed by the member: refused before any transaction.
    assert cli.fails("reveal", pid, account="f1") == (
        f"Error: member 1 Co's vote on proposal {pid} is already revealed: for")
    shown = cli.ok("proposal", "show", pid)
    assert "  founding            3        3        0\n" in shown  # the tally once revealed
    cli.advance(deadline - chain.now() + 1)
    now = chain.now()
    assert cli.fails("reveal", pid, account="r1") == (
        f"Error: reveals of proposal {pid} closed at its deadline {when(deadline, now)} (it is Defeated): member 3 "
        "Co's commitment was never revealed and counted toward nothing")
    assert cli.fails("vote", pid, "for", account="r2") == (
        f"Error: proposal {pid} is Defeated: its votes were revealed until its deadline {when(deadline, now)}")


def test_reveal_refuses_an_open_proposal_and_a_wallet_that_cannot_open_the_commitment(cli, chain, consortium):
    open_ = pid_of(cli.ok(*PAY, "--description", "Open", account="f1"))
    assert cli.fails("reveal", open_, account="f1") == (
        f"Error: proposal {open_} is not sealed: there is nothing to reveal (`consortium vote` votes on it openly)")
    cli.advance(2)
    assert cli.fails("reveal", open_) == (
        f"Error: proposal {open_} is not sealed: there is nothing to reveal (`consortium vote` votes on it openly)")
    pid = pid_of(cli.ok(*PAY, "--description", "Sealed", "--sealed", account="f1"))
    cli.advance(2)
    # The open vote path on a sealed proposal is the chain's to refuse: in words.
    g = chain.governor.functions
    with pytest.raises(Exception) as raised:
        g.castVote(int(pid), 1).call({"from": consortium["f1"]})
    assert decode_revert(raised.value) == (
        f"GovernorProposalSealed: proposal {pid} is sealed: members commit to their votes, then reveal them; nobody "
        "votes on it openly")
    # A commitment made from the seat with a salt of another origin: the wallet's own salt opens none of the three.
    other = ballots.commitment(cli.w3.eth.chain_id, chain.governor.address, int(pid), 1, 1, b"\x07" * 32)
    chain.send(g.commitVotes(int(pid), [(consortium["f1"], other, b"")]), "f1")
    start, _ = chain.times(pid)
    cli.advance(start - chain.now())
    assert cli.fails("reveal", pid, account="f1") == (
        f"Error: the salt this wallet derives opens none of for, against or abstain in member 1 Co's commitment on "
        f"proposal {pid}: it was made with another key (a seat rotated since, or a relayed commitment with a salt of "
        "its own)")
    assert cli.fails("reveal", pid) == (
        "Error: revealing a sealed vote needs a wallet, whose key derives the vote's secret salt: pass --account NAME")


def test_a_front_run_reveal_counts_the_same_vote_and_a_replay_counts_nothing(cli, chain, consortium):
    """Whoever holds a member's vote and salt (a relayer it gave them to) may reveal before the member: the vote the
    member committed to is what counts, and the member is told it is revealed. Revealing again is refused by the
    chain (already voted) and counts nothing; an outsider's `consortium reveal` cannot be made, having no seat."""
    pid = pid_of(cli.ok(*PAY, "--description", "Sealed", "--sealed", account="f1"))
    cli.advance(2)
    cli.ok("vote", pid, "for", account="f1")
    start, _ = chain.times(pid)
    cli.advance(start - chain.now())
    g = chain.governor.functions
    outsider = cli.w3.eth.accounts[5]
    reveal = (consortium["f1"], 1, chain.salt("f1", pid))
    assert chain.rejected(chain.send(g.revealVotes(int(pid), [reveal]), outsider)) == []
    assert g.proposalVotes(int(pid)).call() == [0, 3, 0]
    assert cli.fails("reveal", pid, account="f1") == (
        f"Error: member 1 Co's vote on proposal {pid} is already revealed: for")
    assert chain.rejected(chain.send(g.revealVotes(int(pid), [reveal]), outsider)) == ["already voted"]
    forged = (consortium["f1"], 0, chain.salt("f1", pid))  # another vote with the same salt opens nothing
    assert chain.rejected(chain.send(g.revealVotes(int(pid), [forged]), outsider)) == ["reveal mismatch"]
    assert g.proposalVotes(int(pid)).call() == [0, 3, 0]
    cli.wallet("outsider")
    assert cli.fails("reveal", pid, account="outsider").endswith("is not the seat of a current member")
    unknown = Account.create().address
    assert chain.rejected(chain.send(g.revealVotes(int(pid), [(unknown, 1, b"\x00" * 32)]), outsider)) == [
        "no commitment"]
