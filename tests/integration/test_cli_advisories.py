"""Industry advisories through the CLI on a real devnet: members file (rate-limited) and withdraw, the
subject replies, a body publishes, updates, dismisses and records replies k of n, governance decides by a
vote and names confirmers (the audit sees them); list and show read the chain. Every error path's exact
one-line message."""

import json
import re

import pytest

from orchestrator.chain.reverts import utc
from orchestrator.operations.deploy import contract
from tests.integration.test_cli_institutions import enact, proposal_id

TOKEN = "eip155:56:0x" + "5c" * 20  # a scam token on another chain, CAIP-10
ENTITY = "Shady Exchange Ltd"
HASH = "0x" + "ab" * 32
ZERO_HASH = "0x" + "00" * 32
NEVER_MEMBER = "0x" + "77" * 20
FILE_ARGS = ("--summary", "a honeypot token", "--evidence-uri", "ipfs://evidence")
KINDS = "scam, exploit, sanctions-exposure, market-manipulation, insolvency-risk, other"
WG = "Security WG"
MANDATE = [arg for f in ("publish", "dismiss", "update", "retract", "recordReply")
           for arg in ("--mandate", f"advisories:{f}")]


def file_advisory(cli, account, subject=TOKEN, kind="scam", severity="high", *extra) -> str:
    return cli.ok("advisory", "file", "--kind", kind, "--severity", severity, "--subject", subject, *FILE_ARGS,
                  "--evidence-hash", HASH, *extra, account=account)


def registry(cli):
    return contract(cli.w3, "AdvisoryRegistry", cli.manifest()["contracts"]["AdvisoryRegistry"])


def resets_at(cli, member_id: int) -> str:
    return utc(registry(cli).functions.filingAllowance(member_id).call()[1])


def enact_together(cli, *outs) -> None:
    """Vote proposals through together (enacting one after the other would let the second's vote end)."""
    pids = [proposal_id(out) for out in outs]
    cli.advance(2)
    for pid in pids:
        for name in ("f1", "f2"):
            cli.ok("vote", pid, "for", account=name)
    cli.advance(301)
    for step in ("queue", "execute"):
        for pid in pids:
            cli.ok("proposal", step, pid)
        cli.advance(2)


def test_members_file_withdraw_and_reply_and_every_refusal(cli, consortium, tmp_path):
    evidence = tmp_path / "evidence.txt"
    evidence.write_bytes(b"the token's transfer function blocks every seller but the deployer")
    out = cli.ok("advisory", "file", "--kind", "Scam", "--severity", "high", "--subject", TOKEN, *FILE_ARGS,
                 "--evidence-file", evidence, account="r1")
    assert out.splitlines() == [
        f"advisory 1 filed: scam, high, about {TOKEN}; pending until a confirmer publishes or dismisses it",
        f"member 3 Co may file 2 more until {resets_at(cli, 3)}"]
    subject = cli.wallet("shady")
    assert "advisory 2 filed: insolvency risk, medium" in file_advisory(
        cli, "r1", ENTITY, "insolvency-risk", "medium", "--subject-account", subject)

    # Input refused before anything is sent.
    base = ("advisory", "file", "--subject", TOKEN, *FILE_ARGS)
    assert cli.fails(*base, "--kind", "rug", "--severity", "high", "--evidence-hash", HASH, account="r1") == (
        f"Error: kind 'rug' is not one of: {KINDS}")
    assert cli.fails(*base, "--kind", "scam", "--severity", "urgent", "--evidence-hash", HASH, account="r1") == (
        "Error: severity 'urgent' is not one of: low, medium, high, critical")
    assert cli.fails(*base, "--kind", "scam", "--severity", "high", account="r1") == (
        "Error: give exactly one of --evidence-hash 0x… (32 bytes) or --evidence-file PATH (its SHA-256 is "
        "recorded)")
    assert cli.fails(*base, "--kind", "scam", "--severity", "high", "--evidence-hash", "0x12", account="r1") == (
        "Error: --evidence-hash '0x12' is not 32 bytes in hex (0x and 64 hex digits)")
    assert cli.fails(*base, "--kind", "scam", "--severity", "high", "--evidence-hash", HASH, "--subject-account",
                     "nobody", account="r1") == "Error: subject account 'nobody' is not an address"
    # The chain's refusals, said before sending.
    assert cli.fails(*base, "--kind", "scam", "--severity", "high", "--evidence-hash", ZERO_HASH, account="r1") == (
        "Error: file advisory: AdvisoryInvalidEvidence: a URI and a hash that is not zero are needed (the "
        "evidence's, or the reply's)")
    assert cli.fails("advisory", "file", "--kind", "scam", "--severity", "low", "--subject", "", *FILE_ARGS,
                     "--evidence-hash", HASH, account="r1") == (
        "Error: file advisory: AdvisoryInvalidSubject: an advisory needs a subject: a CAIP-10 account id "
        "(eip155:1:0x…) or an entity's name")
    assert cli.fails("advisory", "file", "--kind", "scam", "--severity", "low", "--subject", TOKEN, "--summary",
                     "x" * 1025, "--evidence-uri", "u", "--evidence-hash", HASH, account="r1") == (
        "Error: file advisory: AdvisoryTextTooLong: a text of 1,025 bytes is longer than the 1,024 bytes allowed")
    outsider = cli.wallet("outsider")
    assert cli.fails(*base, "--kind", "scam", "--severity", "high", "--evidence-hash", HASH, account="outsider") == (
        f"Error: file advisory: AdvisoryNotActiveMember: {outsider} is not the seat of an active member: only "
        "active members file advisories")
    file_advisory(cli, "r1")
    assert cli.fails(*base, "--kind", "scam", "--severity", "high", "--evidence-hash", HASH, account="r1") == (
        "Error: file advisory: AdvisoryRateLimited: member 3 reached the filing limit of 3 per period: it may file "
        f"again from {resets_at(cli, 3)}")
    assert "member 4 Co may file 2 more" in file_advisory(cli, "r2")  # the limit is per member

    # Withdrawing: the filer's alone, while pending.
    assert cli.fails("advisory", "withdraw", "1", account="r2") == (
        "Error: withdraw advisory 1: only its filer, member 3 Co, may withdraw it")
    assert cli.fails("advisory", "withdraw", "99", account="r1") == (
        "Error: withdraw advisory 99: AdvisoryUnknown: there is no advisory 99")
    assert cli.ok("advisory", "withdraw", "1", account="r1") == "advisory 1 withdrawn\n"
    assert cli.fails("advisory", "withdraw", "1", account="r1") == (
        "Error: withdraw advisory 1: AdvisoryInvalidStatus: advisory 1 is withdrawn, which does not allow this")

    # The subject's own account replies; nobody else can, and a subject without an account cannot.
    reply = tmp_path / "reply.pdf"
    reply.write_bytes(b"our reserves, audited")
    assert cli.ok("advisory", "reply", "2", "--uri", "https://shady.example/reply", "--file", reply,
                  account="shady") == "reply 1 to advisory 2 recorded, by its subject\n"
    assert cli.fails("advisory", "reply", "2", "--uri", "u", "--hash", HASH, account="r2") == (
        f"Error: reply to advisory 2: AdvisoryNotSubject: {consortium['r2']} is not the account of advisory 2's "
        "subject (a subject without one answers through a confirmer, who records its reply)")
    assert cli.fails("advisory", "reply", "3", "--uri", "u", "--hash", HASH, account="shady").startswith(
        f"Error: reply to advisory 3: AdvisoryNotSubject: {subject} is not the account")
    assert cli.fails("advisory", "reply", "2", "--uri", "", "--hash", HASH, account="shady") == (
        "Error: reply to advisory 2: AdvisoryInvalidEvidence: a URI and a hash that is not zero are needed (the "
        "evidence's, or the reply's)")
    assert cli.fails("advisory", "reply", "2", "--uri", "u", account="shady") == (
        "Error: give exactly one of --hash 0x… (32 bytes) or --file PATH (its SHA-256 is recorded)")

    # A member that is no confirmer is pointed to a body or a vote.
    assert cli.fails("advisory", "publish", "2", account="f1") == (
        f"Error: publish advisory 2: {consortium['f1']} is not a confirmer of the advisory registry: act through a "
        "body that is one with --body NAME, or propose it to a vote (`consortium propose advisory-publish …`)")
    assert cli.fails("advisory", "dismiss", "2", "--reason", "r", "--body", "Nobody", account="f1") == (
        "Error: no body named 'Nobody': see `consortium body list`")
    assert cli.fails("advisory", "show", "9") == "Error: there is no advisory 9"

    # Reading from the chain: the list, its filters and formats, and one advisory.
    listing = cli.ok("advisory", "list")
    lines = listing.splitlines()
    assert lines[0] == "4 of 4 advisory(ies); filing limit 3 per member per 604,800 s"
    assert re.fullmatch(rf"   1  withdrawn  high      scam                 {TOKEN} — filed by member 3 Co on "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", lines[1])
    assert lines[2].startswith(f"   2  pending    medium    insolvency risk      {ENTITY} — filed by member 3 Co")
    assert cli.ok("advisory", "list", "--status", "pending", "--kind", "scam").splitlines()[0] == (
        "2 of 4 advisory(ies); filing limit 3 per member per 604,800 s")
    assert cli.ok("advisory", "list", "--subject", "shady").splitlines()[1].startswith("   2  pending")
    assert cli.fails("advisory", "list", "--status", "open") == (
        "Error: status 'open' is not one of: none, pending, published, dismissed, withdrawn, retracted")
    rows = json.loads(cli.ok("advisory", "list", "--format", "json", "--severity", "medium"))
    assert len(rows) == 1 and rows[0] | {"filed_at": None, "replies": None} == {
        "advisory_id": 2, "status": "pending", "kind": "insolvency risk", "severity": "medium", "revision": 0,
        "subject": ENTITY, "subject_account": subject, "summary": "a honeypot token", "evidence_uri": "ipfs://evidence",
        "evidence_hash": HASH, "filer": 3, "filer_name": "member 3 Co", "filed_at": None, "decided_at": None,
        "replies": None}
    assert [(r["by_subject"], r["uri"]) for r in rows[0]["replies"]] == [(True, "https://shady.example/reply")]
    csv_lines = cli.ok("advisory", "list", "--format", "csv").splitlines()
    assert csv_lines[0] == ("advisory_id,status,kind,severity,revision,subject,subject_account,summary,evidence_uri,"
                            "evidence_hash,filer,filer_name,filed_at,decided_at,replies")
    assert len(csv_lines) == 5 and csv_lines[2].startswith(f"2,pending,insolvency risk,medium,0,{ENTITY},{subject},")
    show = cli.ok("advisory", "show", "2").splitlines()
    assert show[:5] == [
        "advisory 2: insolvency risk, severity medium — pending",
        f"  subject: {ENTITY} (its account here: {subject})",
        "  summary: a honeypot token",
        f"  evidence: ipfs://evidence (hash {HASH})",
        show[4]]
    assert re.fullmatch(r"  filed by member 3 Co on \d{4}-.* UTC", show[4])
    assert show[5:7] == ["  history:", "    pending, undecided"]
    assert show[7] == "  replies:" and re.fullmatch(
        r"    1\. by the subject on .* UTC: https://shady\.example/reply \(hash 0x[0-9a-f]{64}\)", show[8])
    assert re.fullmatch(rf"    .* UTC: withdrawn by {consortium['r1']} \(the seat of member 3 Co\)",
                        cli.ok("advisory", "show", "1").splitlines()[6])


@pytest.fixture
def working_group(cli, consortium):
    """The consortium with a security working group (members 1 and 2, 2 of 2) mandated for the advisory
    registry's confirmer functions, not yet named a confirmer."""
    enact(cli, cli.ok("propose", "create-body", "working-group", WG, "--threshold", "2", "--member", "1",
                      "--member", "2", *MANDATE, "--description", "A security working group", account="f1"))
    return consortium


def test_a_body_decides_k_of_n_and_governance_by_vote(cli, working_group, tmp_path):
    seats = working_group
    for _ in range(3):
        file_advisory(cli, "r1")
    file_advisory(cli, "r2", ENTITY, "market-manipulation", "medium")
    assert cli.fails("advisory", "publish", "1", "--body", WG, account="f1") == (
        f"Error: publish advisory 1: body '{WG}' is not a confirmer of the advisory registry: governance names one "
        f"with `consortium propose confirmer '{WG}'`")
    out = cli.ok("propose", "confirmer", WG, "--description", "The WG confirms advisories", account="f1")
    assert "kind: ordinary" in out
    show = cli.ok("proposal", "show", proposal_id(out))
    assert re.search(rf"allow body '{WG}' \(0x[0-9a-fA-F]{{40}}\) to publish, dismiss, update and retract industry "
                     "advisories", show)
    enact(cli, out)
    wg = re.search(rf"system contract: Body {WG}", cli.ok("audit"))
    assert wg and re.search(rf"AdvisoryRegistry     confirmer              0x[0-9a-fA-F]{{40}}  system contract: Body "
                            rf"{WG}", cli.ok("audit"))

    # k of n: the first member's command proposes the body's action, the second's approves and executes it.
    first = cli.ok("advisory", "publish", "1", "--body", WG, account="f1")
    assert re.fullmatch(rf"action #0 in {WG}: 1 of 2 approval\(s\), not executed yet: another member of the body "
                        rf"approves it with `consortium body approve '{WG}' 0` \(transaction 0x[0-9a-f]{{64}}\)\n",
                        first)
    assert cli.fails("advisory", "publish", "1", "--body", WG, account="f1") == (
        "Error: approve: BodyAlreadyApproved: member 1 already approved action 0")
    assert cli.fails("advisory", "publish", "1", "--body", WG, account="r1") == (
        f"Error: approve: BodyNotBodyMember: {seats['r1']} is not the seat of a member of this body")
    second = cli.ok("advisory", "publish", "1", "--body", WG, account="f2").splitlines()
    assert re.fullmatch(rf"action #0 in {WG}: 2 of 2 approval\(s\), executed \(transaction 0x[0-9a-f]{{64}}\)",
                        second[0])
    assert second[1:] == ["advisory 1 published"]
    assert cli.fails("advisory", "publish", "1", "--body", WG, account="f1") == (
        "Error: publish advisory 1: AdvisoryInvalidStatus: advisory 1 is published, which does not allow this")
    assert cli.fails("advisory", "retract", "2", "--reason", "r", "--body", WG, account="f1") == (
        "Error: retract advisory 2: AdvisoryInvalidStatus: advisory 2 is pending, which does not allow this")

    # A new revision, a recorded reply and a dismissal, each 2 of 2.
    evidence = tmp_path / "trace.json"
    evidence.write_text('{"drained": "4,000 ETH"}')
    update = ("advisory", "update", "1", "--severity", "critical", "--evidence-uri", "ipfs://trace", "--evidence-file",
              evidence, "--note", "the drain went on", "--body", WG)
    cli.ok(*update, account="f1")
    assert cli.ok(*update, account="f2").splitlines()[1] == (
        "advisory 1 updated: severity critical, evidence ipfs://trace: the drain went on")
    assert cli.fails("advisory", "update", "1", "--evidence-hash", HASH, "--note", "n", "--body", WG,
                     account="f1") == ("Error: new evidence needs its URI: give --evidence-uri with --evidence-hash or "
                                       "--evidence-file")
    reply = ("advisory", "record-reply", "1", "--uri", "mailto:team@token.example", "--hash", HASH, "--body", WG)
    cli.ok(*reply, account="f1")
    assert cli.ok(*reply, account="f2").splitlines()[1] == (
        "the subject's reply to advisory 1 recorded: mailto:team@token.example")
    dismiss = ("advisory", "dismiss", "2", "--reason", "a duplicate of advisory 1", "--body", WG)
    cli.ok(*dismiss, account="f2")
    assert cli.ok(*dismiss, account="f1").splitlines()[1] == "advisory 2 dismissed: a duplicate of advisory 1"
    # The same call again is a new action: an executed one is never approved again.
    assert cli.ok(*reply, account="f1").startswith(f"action #4 in {WG}: 1 of 2 approval(s), not executed yet")
    show = cli.ok("advisory", "show", "1").splitlines()
    assert show[0] == "advisory 1: scam, severity critical — published (revision 1)"
    assert re.fullmatch(rf"    .* UTC: published by body '{WG}' \(0x[0-9a-fA-F]{{40}}\)", show[6])
    assert re.fullmatch(r"    .* UTC: revision 1, severity high → critical, evidence ipfs://trace: the drain went on",
                        show[7])
    assert re.fullmatch(r"    1\. recorded by a confirmer on .* UTC: mailto:team@token\.example \(hash 0xab.*\)",
                        show[9])

    # By a member vote: governance is always a confirmer. What the chain would refuse now is refused at once.
    assert cli.fails("propose", "advisory-publish", "2", "--description", "d", account="f1") == (
        "Error: publish advisory 2: AdvisoryInvalidStatus: advisory 2 is dismissed, which does not allow this")
    assert cli.fails("propose", "advisory-retract", "7", "--reason", "r", "--description", "d", account="f1") == (
        "Error: retract advisory 7: AdvisoryUnknown: there is no advisory 7")
    out = cli.ok("propose", "advisory-retract", "1", "--reason", "the token's team refunded every buyer",
                 "--description", "Retract advisory 1", account="f1")
    assert re.search(rf"retract advisory 1 \(scam, critical, about {TOKEN}\): the token's team refunded every buyer",
                     cli.ok("proposal", "show", proposal_id(out)))
    out_publish = cli.ok("propose", "advisory-publish", "3", "--description", "Publish advisory 3", account="f2")
    enact_together(cli, out, out_publish)
    assert cli.ok("advisory", "list", "--status", "retracted").splitlines()[0].startswith("1 of 4")
    assert re.search(r"retracted by the timelock \(0x[0-9a-fA-F]{40}\): the token's team refunded every buyer",
                     cli.ok("advisory", "show", "1"))
    assert cli.ok("advisory", "list", "--status", "published").splitlines()[1].startswith("   3  published")

    out = cli.ok("propose", "bundle", "--action", "advisory-update 3 --severity low --note 'fewer holders'",
                 "--action", "advisory-dismiss 4 --reason unfounded", "--action",
                 f"advisory-record-reply 2 --uri mailto:legal@shady.example --hash {HASH}", "--description", "Three",
                 account="f2")
    assert out.splitlines()[-3:] == [
        f"  0. update advisory 3 (scam, high, about {TOKEN}) to severity low, evidence ipfs://evidence (hash {HASH}): "
        "fewer holders",
        f"  1. dismiss advisory 4 (market manipulation, medium, about {ENTITY}): unfounded",
        f"  2. record its subject's reply to advisory 2 (scam, high, about {TOKEN}): mailto:legal@shady.example "
        f"(hash {HASH})"]

    # The filing limit by vote; an account named confirmer directly is a power outside the system.
    outsider = cli.wallet("outsider")
    out = cli.ok("propose", "bundle", "--action", "filing-limit 1 3600", "--action", f"confirmer {outsider}",
                 "--description", "One advisory an hour; an outside confirmer", account="f1")
    assert "let each member file at most 1 advisories per 3,600 s" in out
    enact(cli, out)
    now = cli.w3.eth.get_block("latest")["timestamp"]
    cli.advance(3600 - now % 3600 + 1)  # the limit's windows are whole hours: both filings fall in one
    assert "member 4 Co may file 0 more" in file_advisory(cli, "r2")
    assert cli.fails("advisory", "file", "--kind", "other", "--severity", "low", "--subject", ENTITY, *FILE_ARGS,
                     "--evidence-hash", HASH, account="r2") == (
        "Error: file advisory: AdvisoryRateLimited: member 4 reached the filing limit of 1 per period: it may file "
        f"again from {resets_at(cli, 4)}")
    assert cli.ok("advisory", "publish", "5", account="outsider") == "advisory 5 published\n"
    result = cli("audit")
    assert result.exit_code == 1
    assert f"AdvisoryRegistry     confirmer              {outsider}  OUTSIDE THE SYSTEM" in result.output
    out = cli.ok("propose", "bundle", "--action", "filing-limit 0 3600", "--action", f"confirmer {outsider} --off",
                 "--description", "Close filing; no outside confirmer", account="f1")
    assert "close advisory filing (a limit of 0 per 3,600 s)" in cli.ok("proposal", "show", proposal_id(out))
    enact(cli, out)
    audit = cli.ok("audit")  # a confirmer no longer allowed holds nothing
    assert "Body Security WG" in audit and outsider not in audit
    assert cli.fails("advisory", "file", "--kind", "other", "--severity", "low", "--subject", ENTITY, *FILE_ARGS,
                     "--evidence-hash", HASH, account="r1") == (
        "Error: file advisory: AdvisoryRateLimited: member 3 may not file: governance closed filing (a limit of 0 "
        "per period)")
