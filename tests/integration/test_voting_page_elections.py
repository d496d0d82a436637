"""The voting page on an election's ballot, in a real browser (Chromium driven by Playwright, the injected provider of
test_voting_page.py whose signing is the devnet node's own): the candidates as checkboxes, the relayer's
ApprovalBallot over the bitmap ticked signed in the wallet (checked against the governor's own EIP-712 domain, field
for field), posted to the relayer and followed until the governor's VoteCastWithParams proves it counted. A lying
relayer gets nothing signed; nobody votes for, against or abstain on it from the dashboard."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from eth_abi import encode

from orchestrator.web import dashboard, serving
from orchestrator.web import relay as relay_api
from tests.browser import chromium_browser  # noqa: F401  (fixture browser)
from tests.integration.conftest import Cli
from tests.integration.test_relay_elections import open_election
from tests.integration.test_relayer import relayer_for
from tests.integration.test_voting_page import NodeWallet, governor, open_page, status_of
from tests.integration.test_voting_page_sealed import answer

# What the page asks a wallet to cast an approval ballot: the account and chain at connecting, then the chain, the
# governor's own EIP-712 domain (eth_call of eip712Domain), the chain again and the signature, then the chain and the
# receipt that prove the governor counted it.
APPROVED = ["eth_requestAccounts", "eth_chainId", "eth_chainId", "eth_call", "eth_chainId", "eth_signTypedData_v4",
            "eth_chainId", "eth_getTransactionReceipt"]


@pytest.fixture(scope="module")
def site(devnet, w3, tmp_path_factory):
    """A consortium with an election whose ballot is Active (candidates members 1, 3 and 4); the relay API
    (submitting every 0.3 s) and the dashboard on its index, served over HTTP; members 3 and 4 vote from the page
    with the node's unlocked accounts."""
    cli = Cli(devnet, tmp_path_factory.mktemp("vote-page-elections"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    node = w3.eth.accounts
    seats = {"f1": cli.wallet("f1"), "f2": cli.wallet("f2"), "r1": node[7], "r2": node[8]}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular"})
    pid, _ = open_election(cli, seats)
    cli.ok("index")
    relayer = relayer_for(cli)
    stop = threading.Event()
    submitter = threading.Thread(target=lambda: [relayer.submit() for _ in iter(lambda: stop.wait(0.3), True)],
                                 daemon=True)
    submitter.start()
    with (serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as relay_url,
          serving.running(dashboard.app(cli.env["CONSORTIUM_DB"], relay=relay_url), dashboard.MAX_BODY) as board):
        yield cli, str(pid), seats, board, relayer
    stop.set()
    submitter.join()


def test_a_member_approves_candidates_from_the_page(site, browser):
    cli, pid, seats, board, relayer = site
    wallet = NodeWallet(cli.w3, seats["r1"])
    page = open_page(browser, board, pid, wallet)
    assert page.text_content("#account") == f"{seats['r1']}: member 3 Co (regular, active)"
    assert status_of(page, "tick") == ("tick the candidates you approve (or none, to abstain), then sign your approval "
                                       "ballot (no gas)")
    boxes = page.query_selector_all('input[name="approve"]')
    assert [(b.get_attribute("value"), b.evaluate("b => b.parentElement.textContent.trim()")) for b in boxes] == [
        ("0", "member 1 Co (founding)"), ("1", "member 3 Co (regular)"), ("2", "member 4 Co (regular)")]
    assert page.query_selector('input[name="support"]') is None and page.query_selector("#send") is None
    page.check('input[name="approve"][value="0"]')
    page.check('input[name="approve"][value="2"]')
    page.click("#approve")
    done = status_of(page, "your approval ballot is counted")
    assert done.startswith("your approval ballot is counted: included in transaction 0x")
    assert wallet.requests == APPROVED
    tx = done.rsplit(" ", 1)[1]
    (cast,) = governor(cli).events.VoteCastWithParams().process_receipt(cli.w3.eth.get_transaction_receipt(tx))
    assert (cast.args.voter, cast.args.support, cast.args.weight, cast.args.params) == (
        seats["r1"], 1, 1, encode(["uint256"], [0b101]))
    assert relayer.store.find(int(pid), seats["r1"], "approval").approvals == 0b101
    page.close()


def test_a_lying_relayer_gets_no_approval_ballot_signed(site, browser):
    cli, pid, seats, board, relayer = site
    wallet = NodeWallet(cli.w3, seats["r2"])
    page = open_page(browser, board, pid, wallet)
    page.check('input[name="approve"][value="1"]')

    def other_candidates(route):  # the member ticked candidate 1; the relayer asks it to approve all three
        typed = route.fetch().json()
        typed["typed_data"]["message"]["approvals"] = "7"
        answer(route, typed)
    page.route("**/typed-data/approval?*", other_candidates)
    page.click("#approve")
    assert status_of(page, "not yours") == ("not accepted: the relayer asked to sign an approval ballot that is not "
                                            "yours (the candidates approved differs): not signed")
    page.unroute("**/typed-data/approval?*")

    def other_domain(route):  # a ballot signed in another domain than the governor's never counts
        typed = route.fetch().json()
        typed["typed_data"]["domain"]["name"] += " "
        answer(route, typed)
    page.route("**/typed-data/approval?*", other_domain)
    page.click("#approve")
    assert status_of(page, "domain") == ("not accepted: the relayer asked to sign an approval ballot that is not "
                                         "yours (the domain's name or version differs): not signed")
    assert "eth_signTypedData_v4" not in wallet.requests
    assert relayer.store.find(int(pid), seats["r2"], "approval") is None
    page.close()


def test_the_dashboard_encodes_no_open_vote_on_an_election_ballot(site):
    """A script asking the dashboard for an open vote's transaction on an election's ballot: refused in the
    governor's words, as the governor would revert it."""
    cli, pid, seats, board, relayer = site
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{board}/vote/{pid}/transaction?action=vote&support=1", timeout=10)
    assert refused.value.code == 422
    assert json.loads(refused.value.read()) == {
        "error": f"GovernorProposalIsElection: proposal {pid} is an election's ballot: members vote on it by "
                 "approving candidates, not for, against or abstain"}
