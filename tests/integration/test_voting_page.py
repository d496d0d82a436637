"""The members' voting page in a real browser: Debian's Chromium driven by Playwright, with an injected EIP-1193
provider whose signing and sending are done by the devnet node itself (anvil's `eth_signTypedData_v4` and
`eth_sendTransaction` for its unlocked accounts: a real signer that is not our code). The page is served by the
dashboard on a real index; the ballots go to the relay API over HTTP, and the relayer submits them to the chain."""

import json
import re
import threading
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from orchestrator.errors import InputError
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots, safe
from orchestrator.web import dashboard, serving, voting
from orchestrator.web import relay as relay_api
from tests.browser import chromium_browser  # noqa: F401  (fixture browser)
from tests.integration.conftest import Cli
from tests.integration.test_relayer import HOLDER, proposal_id, relayer_for
from tests.safe import create_safe, deploy_contracts, sign_typed_data

COUNTED = 30_000  # ms: a ballot is counted within the relayer's next batch (submitted every 0.3 s here)

# window.ethereum as a wallet injects it: every request goes to the test's handler (page.expose_function),
# and an error comes back as EIP-1193 shapes it (code, message, data).
PROVIDER = """
window.ethereum = {
  isTestWallet: true,
  request: async ({ method, params }) => {
    const answer = await window.__wallet(method, params || []);
    if (answer.error) {
      const err = new Error(answer.error.message);
      err.code = answer.error.code; err.data = answer.error.data;
      throw err;
    }
    return answer.result;
  },
};
"""


# What the page asks a wallet for a gas-free ballot: the account, the chain (at connecting and again before
# signing), the signature, and the chain and the receipt that prove the ballot counted.
SIGNED_AND_PROVEN = ["eth_requestAccounts", "eth_chainId", "eth_chainId", "eth_signTypedData_v4", "eth_chainId",
                     "eth_getTransactionReceipt"]


class NodeWallet:
    """A wallet holding one of the node's unlocked accounts: it asks the node to sign and send."""

    def __init__(self, w3, account: str):
        self.w3, self.account = w3, account
        self.requests: list[str] = []

    def __call__(self, method: str, params: list) -> dict:
        self.requests.append(method)
        if method in ("eth_requestAccounts", "eth_accounts"):
            return {"result": [self.account]}
        response = self.w3.provider.make_request(method, params)
        return {"error": dict(response["error"])} if "error" in response else {"result": response["result"]}


class SafeWallet(NodeWallet):
    """A Safe connected as a wallet (a Safe app or WalletConnect session): its account is the Safe, and a
    typed-data request is signed by its owners as Safe{Wallet} collects them: each owner signs the SafeMessage of
    the request's EIP-712 hash (here by the node's own eth_signTypedData_v4), and the signatures are combined in
    owner order. The governor then asks the Safe (ERC-1271) whether it vouches for the ballot."""

    def __init__(self, w3, safe_address: str, owners: list[str]):
        super().__init__(w3, safe_address)
        self.owners = owners

    def __call__(self, method: str, params: list) -> dict:
        if method != "eth_signTypedData_v4":
            return super().__call__(method, params)
        self.requests.append(method)
        signatures = [(owner, sign_typed_data(self.w3, owner, self.message(params[1]))) for owner in self.owners]
        combined, *_ = safe.combine(safe.read(self.w3, self.account), ballots.digest(self.message(params[1])),
                                   signatures)
        return {"result": "0x" + combined.hex()}

    def message(self, typed_json: str) -> dict:
        """The SafeMessage the owners sign for the typed data the page asked the Safe to sign."""
        typed = json.loads(typed_json)
        typed["message"]["proposalId"] = int(typed["message"]["proposalId"])
        return safe.safe_message(self.w3.eth.chain_id, self.account, ballots.digest(typed))


@pytest.fixture(scope="module")
def site(devnet, w3, tmp_path_factory):
    """A consortium with an active proposal; the relay API (submitting every 0.3 s) and the dashboard on its
    index, served over HTTP; seats: f1 a keystore wallet, the others the node's unlocked accounts."""
    cli = Cli(devnet, tmp_path_factory.mktemp("vote-page"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    node = w3.eth.accounts
    multisig = create_safe(w3, deploy_contracts(w3), node[1:4], threshold=2)
    seats = {"f1": cli.wallet("f1"), "signer": node[7], "sender": node[8], "recuser": node[6], "outsider": node[9],
             "safe": multisig, "safe owners": node[1:3]}
    cli.deploy({seats["f1"]: "founding", seats["signer"]: "founding", seats["sender"]: "regular",
                seats["recuser"]: "regular", multisig: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "# Fund the audit\n\nPage",
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
        yield cli, pid, seats, board
    stop.set()
    submitter.join()



def open_page(browser, board: str, pid: str, wallet, ready: bool = True):
    """The proposal's page with `wallet` injected and connected; `ready`: once the panel lets the member vote."""
    page = browser.new_page()
    page.expose_function("__wallet", wallet)
    page.add_init_script(PROVIDER)
    page.goto(f"{board}/vote/{pid}")
    page.click("#connect")
    if ready:
        page.wait_for_selector("#choice:not([disabled])")
    return page


def status_of(page, text: str) -> str:
    """The page's status line once it says `text` (what it says instead, if it never does)."""
    try:
        page.wait_for_function("t => document.getElementById('vote-status').textContent.includes(t)", arg=text,
                               timeout=COUNTED)
    except PlaywrightTimeout:
        pytest.fail(f"the page never said {text!r}; it says {page.text_content('#vote-status')!r}")
    return page.text_content("#vote-status")


def governor(cli):
    return contract(cli.w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])


def marks(cli, pid: str, seat: str) -> tuple[bool, bool]:
    member_id = contract(cli.w3, "MemberRegistry", cli.manifest()["contracts"]["MemberRegistry"]) \
        .functions.memberIdOf(seat).call()
    return tuple(governor(cli).functions.memberMarks(int(pid), member_id).call())


def test_a_member_signs_in_its_wallet_and_the_ballot_is_counted_and_shown(site, browser):
    cli, pid, seats, board = site
    wallet = NodeWallet(cli.w3, seats["signer"])
    page = open_page(browser, board, pid, wallet)
    assert page.text_content("#account") == f"{seats['signer']}: member 2 Co (founding, active)"
    page.check('input[name="support"][value="0"]')
    page.fill("#reason", "the audit firm is a member's affiliate")
    page.click("#sign")
    done = status_of(page, "counted")
    assert wallet.requests == SIGNED_AND_PROVEN
    assert marks(cli, pid, seats["signer"]) == (True, False)
    tx = done.rsplit(" ", 1)[1]
    (cast,) = governor(cli).events.VoteCast().process_receipt(cli.w3.eth.get_transaction_receipt(tx))
    assert (cast.args.voter, cast.args.support, cast.args.reason) == (
        seats["signer"], 0, "the audit firm is a member's affiliate")
    cli.ok("index")
    shown = json.loads(page.goto(f"{board}/api/proposals/{pid}/ballots").text())
    (ballot,) = [b for b in shown["items"] if b["voter"] == seats["signer"]]
    assert (ballot["support"], ballot["relayed"], ballot["tx"]) == ("against", True, tx)
    page.goto(f"{board}/proposals/{pid}")  # the proposal's page lists it, by name, with its transaction
    row = page.locator("#ballots ~ .table-wrap tr", has_text="member 2 Co")
    assert row.locator("td").all_text_contents()[:6] == [
        "member 2 Co", "founding", "against", "3", "relayed", "the audit firm is a member's affiliate"]
    assert row.locator(f'[title="{tx}"]').count() == 1
    page.goto(f"{board}/vote/{pid}")
    page.click("#connect")
    assert status_of(page, "has voted") == "member 2 Co has voted against on this proposal"
    page.close()


def test_a_safe_ballot_short_of_its_threshold_is_refused_with_the_reason(site, browser):
    """A careless Safe wallet hands over one owner's signature where the Safe needs two: the Safe does not
    vouch for the ballot, and the page says so; nothing is counted (the next test's ballot is)."""
    cli, pid, seats, board = site
    wallet = SafeWallet(cli.w3, seats["safe"], seats["safe owners"][:1])

    def one_owner(method, params):
        if method != "eth_signTypedData_v4":
            return wallet(method, params)
        return {"result": "0x" + sign_typed_data(cli.w3, wallet.owners[0], wallet.message(params[1])).hex()}
    page = open_page(browser, board, pid, one_owner)
    page.click("#sign")
    assert status_of(page, "not accepted") == (
        f"not accepted: {seats['safe']} is a contract wallet and does not vouch for this ballot (ERC-1271 "
        "isValidSignature): not its owners' signatures, too few of them, or signatures of another ballot, chain or "
        "governor")
    page.close()


def test_a_safe_member_votes_with_its_owners_signatures_and_it_counts(site, browser):
    cli, pid, seats, board = site
    wallet = SafeWallet(cli.w3, seats["safe"], seats["safe owners"])
    page = open_page(browser, board, pid, wallet)
    assert page.text_content("#account") == f"{seats['safe']}: member 5 Co (regular, active)"
    page.check('input[name="support"][value="2"]')
    page.click("#sign")
    tx = status_of(page, "counted").rsplit(" ", 1)[1]
    assert wallet.requests == SIGNED_AND_PROVEN
    assert marks(cli, pid, seats["safe"]) == (True, False)
    (cast,) = governor(cli).events.VoteCast().process_receipt(cli.w3.eth.get_transaction_receipt(tx))
    assert (cast.args.voter, cast.args.support) == (seats["safe"], 2)
    page.close()


def test_an_outsiders_ballot_is_refused_with_the_relayers_reason(site, browser):
    cli, pid, seats, board = site
    page = open_page(browser, board, pid, NodeWallet(cli.w3, seats["outsider"]))
    assert page.text_content("#account") == f"{seats['outsider']}: not a member's seat in the index"
    page.click("#sign")
    assert status_of(page, "not accepted") == (
        f"not accepted: {seats['outsider']} is not the seat of a current member")
    assert page.is_enabled("#sign")  # the member may try again: nothing is stuck
    page.close()


def test_a_member_votes_by_transaction_and_another_recuses(site, browser):
    cli, pid, seats, board = site
    page = open_page(browser, board, pid, NodeWallet(cli.w3, seats["sender"]))
    page.click("#send")
    assert status_of(page, "done").startswith(f"done: vote for on proposal {pid}, in transaction 0x")
    assert marks(cli, pid, seats["sender"]) == (True, False)
    page.close()

    page = open_page(browser, board, pid, NodeWallet(cli.w3, seats["recuser"]))
    page.click("#recuse")
    assert status_of(page, "not sent") == "not sent: a recusal needs its reason: it is published"
    page.fill("#reason", "the holder is our subsidiary")
    page.click("#recuse")
    assert status_of(page, "done").startswith(f"done: recuse from proposal {pid}, in transaction 0x")
    assert marks(cli, pid, seats["recuser"]) == (False, True)
    assert page.is_disabled("#send")
    page.close()
    # The index has not seen the recusal yet, so the page lets the member try: the contract refuses, and the
    # page names its custom error.
    page = open_page(browser, board, pid, NodeWallet(cli.w3, seats["recuser"]))
    page.click("#send")
    assert status_of(page, "not sent") == (
        f"not sent: GovernorVoterRecused: {seats['recuser']} is recused from this proposal (a declared "
        "conflict, or the proposal is about it)")
    page.close()
    cli.ok("index")  # once the index has it, the page says so at connecting
    page = open_page(browser, board, pid, NodeWallet(cli.w3, seats["recuser"]), ready=False)
    assert status_of(page, "recused") == "member 4 Co is recused from this proposal: the holder is our subsidiary"
    assert page.is_disabled("#send")
    page.close()


def test_the_page_refuses_a_wallet_on_another_chain(site, browser):
    cli, pid, seats, board = site

    def elsewhere(method, params):
        return {"result": "0x1"} if method == "eth_chainId" else NodeWallet(cli.w3, seats["sender"])(method, params)
    page = open_page(browser, board, pid, elsewhere, ready=False)
    assert status_of(page, "chain") == (
        "your wallet is on chain 1; this consortium is on chain 31337: switch networks in your wallet and connect "
        "again")
    assert page.is_disabled("#sign")
    page.close()


def test_a_wallet_that_changes_chains_after_connecting_sends_nothing(site, browser):
    cli, pid, seats, board = site
    wallet = NodeWallet(cli.w3, seats["outsider"])
    chains = iter(["0x7a69"])  # 31337 when connecting, then chain 1

    def switching(method, params):
        if method == "eth_chainId":
            return {"result": next(chains, "0x1")}
        return wallet(method, params)
    page = open_page(browser, board, pid, switching)
    page.click("#send")
    assert status_of(page, "not sent") == (
        "not sent: your wallet is on chain 1; this consortium is on chain 31337: switch networks in your wallet and "
        "connect again")
    assert "eth_call" not in wallet.requests and "eth_sendTransaction" not in wallet.requests
    page.close()


@pytest.fixture(scope="module")
def lying_relay(site):
    """A relay API that asks the member to sign something else, or claims a ballot was counted: the page must
    believe neither. (A compromised or careless relayer: the API answers any origin.)"""
    from fastapi import FastAPI
    cli, pid, _, _ = site
    honest = relayer_for(cli)
    lies = {"typed": "support"}
    api = FastAPI()

    @api.get("/typed-data")
    def typed_data(proposal_id: str, voter: str, support: int, reason: str = ""):
        ballot = {"support": support, "reason": reason, "voter": voter, "domain": honest.domain}
        if lies["typed"] == "support":
            ballot["support"] = 1 - support if support < 2 else 0
        elif lies["typed"] == "governor":
            ballot["domain"] = {**honest.domain, "verifyingContract": "0x" + "de" * 20}
        typed = ballots.member_ballot(ballot["domain"], int(proposal_id), ballot["support"], ballot["voter"],
                                      ballot["reason"])
        return {"typed_data": ballots.for_wallet(typed), "digest": "0x"}

    @api.post("/ballots", status_code=202)
    def post_ballot():
        return {"id": 7, "status": "accepted"}

    @api.get("/ballots/{ballot_id}")
    def ballot_status(ballot_id: int):
        return {"id": ballot_id, "status": "included", "detail": "", "tx_hash": "0x" + "ab" * 32}

    from fastapi.middleware.cors import CORSMiddleware
    api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"])
    with (serving.running(api, relay_api.MAX_BODY) as relay_url,
          serving.running(dashboard.app(cli.env["CONSORTIUM_DB"], relay=relay_url + "/"),
                          dashboard.MAX_BODY) as board):
        yield board, lies


@pytest.mark.parametrize("lie, differs", [("support", "the support"), ("governor", "the governor")])
def test_the_page_signs_only_the_members_own_ballot(site, browser, lying_relay, lie, differs):
    cli, pid, seats, _ = site
    board, lies = lying_relay
    lies["typed"] = lie
    wallet = NodeWallet(cli.w3, seats["outsider"])
    page = open_page(browser, board, pid, wallet)
    page.click("#sign")
    assert status_of(page, "not accepted") == (
        f"not accepted: the relayer asked to sign a ballot that is not yours ({differs} differs): not signed")
    assert "eth_signTypedData_v4" not in wallet.requests
    page.close()


def test_the_page_says_counted_only_when_the_chain_shows_it(site, browser, lying_relay):
    cli, pid, seats, _ = site
    board, lies = lying_relay
    lies["typed"] = None  # the honest typed data; then a claim of inclusion in a transaction that is not there
    page = open_page(browser, board, pid, NodeWallet(cli.w3, seats["outsider"]))
    page.click("#sign")
    assert status_of(page, "not accepted") == (
        f"not accepted: transaction 0x{'ab' * 32} holds no VoteCast of {seats['outsider']} on this proposal from "
        "the governor")
    page.close()


def test_the_voting_page_may_run_only_its_own_scripts_and_call_only_the_relayer(site):
    cli, pid, _, board = site
    with urllib.request.urlopen(f"{board}/vote/{pid}", timeout=10) as response:  # the link leads to the page
        assert response.url == f"{board}/proposals/{pid}#vote"
        policy, text = response.headers["Content-Security-Policy"], response.read().decode()
    relay = re.search(r'data-relay="([^"]+)"', text)[1]
    assert "script-src 'self'" in policy and policy.endswith(f"; connect-src 'self' {relay}"), policy
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # nothing inline: the policy would block it anyway
    assert voting.relay_origin("https://relay.example.org/api/") == "https://relay.example.org"
    with pytest.raises(InputError, match="--relay must be an http"):
        voting.relay_origin("relay.example.org")


@pytest.mark.parametrize("path, status, reason", [
    ("/vote/nope", 404, "not found: proposal id 'nope' is not a number"),
    ("/vote/12345/seat/0x" + "11" * 20, 404, "not found: no proposal 12345 in the index"),
    ("/vote/{pid}/seat/0x12", 422, "'0x12' is not an address"),
    ("/vote/{pid}/transaction?action=vote", 422, "a vote needs support: 0 against, 1 for, 2 abstain"),
    ("/vote/{pid}/transaction?action=vote&support=3", 422, "query.support: Input should be less than or equal to 2"),
    ("/vote/{pid}/transaction?action=recuse&reason=%20", 422, "a recusal needs its reason: it is published"),
    ("/vote/{pid}/transaction?action=burn", 422, "query.action: Input should be 'vote' or 'recuse'"),
    ("/vote/revert?data=0xzz", 422, "query.data: String should match pattern"),
])
def test_what_the_panel_reads_refuses_bad_input_with_the_reason(site, path, status, reason):
    _, pid, _, board = site
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(board + path.format(pid=pid), timeout=10)
    assert refused.value.code == status
    assert json.loads(refused.value.read())["error"].startswith(reason)


def test_the_panel_reads_the_calldata_of_the_compiled_abi_and_names_reverts(site):
    cli, pid, seats, board = site
    with urllib.request.urlopen(f"{board}/vote/{pid}/transaction?action=vote&support=1&reason=ok", timeout=10) as r:
        tx = json.loads(r.read())
    expected = governor(cli).functions.castVoteWithReason(int(pid), 1, "ok")._encode_transaction_data()
    assert tx == {"to": governor(cli).address, "data": expected, "description": f"vote for on proposal {pid}"}
    data = governor(cli).encode_abi("castVote", [1, 1])[:10]  # a selector that is no error's
    with urllib.request.urlopen(f"{board}/vote/revert?data={data}", timeout=10) as r:
        assert json.loads(r.read()) == {"error": f"reverted with unknown error {data}"}


def test_serve_refuses_a_relay_that_is_not_a_web_url(site):
    cli, _, _, _ = site
    assert cli.fails("serve", "--port", "0", "--relay", "ftp://relay.example.org") == (
        "Error: --relay must be an http(s) URL such as https://relay.example.org, not 'ftp://relay.example.org'")


def test_a_seat_its_member_rotated_away_from_is_no_members_seat(site):
    """A member that moved its seat (a lost or compromised key, say) is not found at the old address."""
    cli, pid, seats, board = site
    new_seat = cli.wallet("f1-new-seat")
    cli.ok("member", "rotate-seat", new_seat, account="f1")
    cli.ok("index")

    def seat(address):
        with urllib.request.urlopen(f"{board}/vote/{pid}/seat/{address}", timeout=10) as response:
            return json.loads(response.read())
    assert seat(seats["f1"]) == {"address": seats["f1"], "member_id": None, "member": None, "tier": None,
                                 "status": None, "voted": None, "recused": None}
    assert seat(new_seat) == {"address": new_seat, "member_id": 1, "member": "member 1 Co", "tier": "founding",
                              "status": "active", "voted": None, "recused": None}
