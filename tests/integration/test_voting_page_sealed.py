"""The voting page on a sealed proposal, in a real browser (Chromium driven by Playwright, the injected provider of
test_voting_page.py whose signing is the devnet node's own): the member commits (the salt from the wallet's signature
of SealedSalt, signed twice to be sure it derives again; the commitment computed in the page with its own keccak;
the relayer's SealedBallot signed), then from the reveal start reveals (the salt signed again, the vote found by
opening the commitment, the reveal posted); each checked on chain. A wallet that signs differently twice commits
nothing, and nothing of the vote reaches the relayer before the reveal start."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from eth_utils import keccak

from orchestrator.chain.reverts import utc
from orchestrator.relay import ballots
from orchestrator.web import dashboard, serving
from orchestrator.web import relay as relay_api
from tests.browser import chromium_browser  # noqa: F401  (fixture browser)
from tests.integration.conftest import Cli
from tests.integration.test_relayer import HOLDER, proposal_id, relayer_for
from tests.integration.test_voting_page import NodeWallet, governor, open_page, status_of

# What the page asks a wallet to commit: the account and chain at connecting, the chain's clock (the phase), then
# before committing the chain and the clock again, the salt request signed twice, the commitment signed, and the
# chain and receipt that prove the governor recorded it.
# Each signature is preceded by the governor's own EIP-712 domain (eth_call of eip712Domain), which the relayer's
# typed data must match.
COMMITTED = ["eth_requestAccounts", "eth_chainId", "eth_getBlockByNumber", "eth_chainId", "eth_getBlockByNumber",
             "eth_call", "eth_chainId", "eth_signTypedData_v4", "eth_call", "eth_chainId", "eth_signTypedData_v4",
             "eth_call", "eth_chainId", "eth_signTypedData_v4", "eth_chainId", "eth_getTransactionReceipt"]


@pytest.fixture(scope="module")
def site(devnet, w3, tmp_path_factory):
    """A consortium with an active sealed proposal; the relay API (submitting every 0.3 s) and the dashboard on its
    index, served over HTTP; the voters are the node's unlocked accounts."""
    cli = Cli(devnet, tmp_path_factory.mktemp("vote-page-sealed"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    node = w3.eth.accounts
    seats = {"f1": cli.wallet("f1"), "signer": node[7], "fickle": node[8]}
    cli.deploy({seats["f1"]: "founding", seats["signer"]: "founding", seats["fickle"]: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "# Sealed audit", "--sealed",
                             account="f1"))
    cli.advance(2)
    cli.ok("index")
    relayer = relayer_for(cli)
    stop = threading.Event()
    submitter = threading.Thread(target=lambda: [relayer.submit() for _ in iter(lambda: stop.wait(0.3), True)],
                                 daemon=True)
    submitter.start()
    with (serving.running(relay_api.app(relayer), relay_api.MAX_BODY) as relay_url,
          serving.running(dashboard.app(cli.env["CONSORTIUM_DB"], relay=relay_url), dashboard.MAX_BODY) as board):
        yield cli, pid, seats, board, relayer
    stop.set()
    submitter.join()


def salt_of(cli, pid: str, seat: str) -> bytes:
    """The salt as the CLI derives it, from the node's own signature of the member's SealedSalt."""
    typed = ballots.for_wallet(ballots.sealed_salt_request(relayer_for(cli).domain, int(pid), seat))
    response = cli.w3.provider.make_request("eth_signTypedData_v4", [seat, typed])
    return ballots.sealed_salt(bytes.fromhex(response["result"][2:]))


def test_the_pages_keccak_is_ethereums(site, browser):
    cli, pid, _, board, _ = site
    page = browser.new_page()
    page.goto(f"{board}/proposals/{pid}")
    page.wait_for_function("() => typeof window.keccak256 === 'function'")
    for length in (0, 1, 32, 135, 136, 137, 192, 300):
        data = bytes((7 * i + length) % 256 for i in range(length))
        got = page.evaluate("bytes => Array.from(window.keccak256(Uint8Array.from(bytes)))", list(data))
        assert bytes(got) == keccak(data), length
    page.close()


def test_a_wallet_that_signs_the_salt_request_differently_commits_nothing(site, browser):
    cli, pid, seats, board, relayer = site
    node = NodeWallet(cli.w3, seats["fickle"])
    signed = []

    def fickle(method, params):  # a wallet with fresh randomness in each signature: its salt never derives again
        answer = node(method, params)
        if method == "eth_signTypedData_v4" and '"SealedSalt"' in params[1]:
            signed.append(answer["result"])
            if len(signed) == 2:
                answer = {"result": answer["result"][:-4] + ("00" if answer["result"][-4:-2] != "00" else "01")
                          + answer["result"][-2:]}
        return answer
    page = open_page(browser, board, pid, fickle)
    assert status_of(page, "commit").startswith("choose, then commit to your vote (no gas); reveal it from ")
    assert page.is_hidden("#reveal") and page.is_visible("#commit")
    page.click("#commit")
    assert status_of(page, "not committed") == (
        "not committed: your wallet signed the salt request differently the second time, so it could not derive your "
        "salt again to reveal: nothing committed; commit with the CLI (`consortium vote … --sign-only` writes the salt "
        "to a file you keep)")
    assert relayer.store.accepted("commitment") == {}
    # A reveal before the reveal start sends nothing (the button is hidden then; a script can still press it).
    page.evaluate("document.getElementById('reveal').click()")
    start = governor(cli).functions.proposalRevealStart(int(pid)).call()
    assert status_of(page, "not revealed") == f"not revealed: reveals open at {utc(start)}; nothing was sent"
    page.close()


def answer(route, body: dict) -> None:
    """A relayer's answer, as a cross-origin page reads it."""
    route.fulfill(status=200, content_type="application/json", body=json.dumps(body),
                  headers={"Access-Control-Allow-Origin": "*"})


def test_a_lying_relayer_gets_nothing_signed(site, browser):
    cli, pid, seats, board, relayer = site
    wallet = NodeWallet(cli.w3, seats["fickle"])
    page = open_page(browser, board, pid, wallet)
    # Another member id than the index's: a commitment bound to it could never be revealed.
    page.route("**/commitments?*", lambda route: answer(route, {
        "proposal_id": pid, "voter": seats["fickle"], "member_id": 9, "commitment": None, "recorded": False}))
    page.click("#commit")
    assert status_of(page, "not committed") == (
        "not committed: the relayer says this seat is member 9's at the snapshot, the index says member 3's: nothing "
        "signed")
    page.unroute("**/commitments?*")

    def other_commitment(route):
        typed = route.fetch().json()
        typed["typed_data"]["message"]["commitment"] = "0x" + "ab" * 32
        answer(route, typed)
    page.route("**/typed-data/commitment?*", other_commitment)
    page.click("#commit")
    assert status_of(page, "not yours") == (
        "not committed: the relayer asked to sign a commitment that is not yours (the commitment differs): not signed")
    assert wallet.requests.count("eth_signTypedData_v4") == 2  # the salt request, twice; never the commitment
    page.unroute("**/typed-data/commitment?*")

    # A salt request in another domain (the governor's name changed): its salt no honest tool would derive again,
    # so the commitment could never be revealed (the red team's finding). Checked against the governor itself.
    def other_domain(route):
        typed = route.fetch().json()
        typed["typed_data"]["domain"]["name"] += " "
        answer(route, typed)
    page.route("**/typed-data/salt?*", other_domain)
    page.click("#commit")
    assert status_of(page, "domain") == ("not committed: the relayer asked to sign a salt request that is not yours "
                                         "(the domain's name or version differs): not signed")
    assert wallet.requests.count("eth_signTypedData_v4") == 2  # nothing more signed
    assert relayer.store.find(int(pid), seats["fickle"], "commitment") is None
    page.close()


def test_a_member_commits_then_reveals_from_the_page(site, browser):
    cli, pid, seats, board, relayer = site
    wallet = NodeWallet(cli.w3, seats["signer"])
    page = open_page(browser, board, pid, wallet)
    assert page.text_content("#account") == f"{seats['signer']}: member 2 Co (founding, active)"
    page.check('input[name="support"][value="0"]')
    page.click("#commit")
    done = status_of(page, "your commitment is recorded")
    tx = done.split("transaction ")[1].split(";")[0]
    assert wallet.requests == COMMITTED
    (committed,) = governor(cli).events.VoteCommitted().process_receipt(cli.w3.eth.get_transaction_receipt(tx))
    domain = relayer.domain
    salt = salt_of(cli, pid, seats["signer"])  # the CLI's salt: `consortium reveal` would open it too
    assert committed.args.commitment == ballots.commitment(domain["chainId"], domain["verifyingContract"], int(pid),
                                                           2, 0, salt)
    assert relayer.store.accepted("reveal") == {} and relayer.store.find(int(pid), seats["signer"], "reveal") is None
    page.close()
    start = governor(cli).functions.proposalRevealStart(int(pid)).call()
    cli.advance(start - cli.w3.eth.get_block("latest")["timestamp"])
    wallet = NodeWallet(cli.w3, seats["signer"])
    page = open_page(browser, board, pid, wallet)
    assert status_of(page, "reveal your vote").startswith("reveal your vote (no gas)")
    assert page.is_hidden("#commit") and page.is_visible("#reveal")
    page.click("#reveal")
    done = status_of(page, "revealed and counted")
    assert done.startswith("your vote (against) is revealed and counted: in transaction 0x")
    tx = done.rsplit(" ", 1)[1]
    (cast,) = governor(cli).events.VoteCast().process_receipt(cli.w3.eth.get_transaction_receipt(tx))
    assert (cast.args.voter, cast.args.support, cast.args.weight) == (seats["signer"], 0, 3)
    page.close()


def test_the_dashboard_encodes_no_open_vote_on_a_sealed_proposal(site):
    """A client other than the page (a script) asking for the transaction of an open vote on a sealed proposal
    would send its vote to the dashboard before the reveal start: refused, as the governor would (red team)."""
    cli, pid, seats, board, relayer = site
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{board}/vote/{pid}/transaction?action=vote&support=1", timeout=10)
    assert refused.value.code == 422
    assert json.loads(refused.value.read()) == {
        "error": f"GovernorProposalSealed: proposal {pid} is sealed: members commit to their votes, then reveal them; "
                 "nobody votes on it openly"}
