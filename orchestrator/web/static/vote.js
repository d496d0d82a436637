// The voting page (templates/vote.html, web/voting.py): the member's wallet signs or sends, from the browser.
// The wallet is any EIP-1193 provider at window.ethereum (a browser wallet; a WalletConnect or Safe-app provider
// exposes the same interface). What to sign comes from the relayer (GET /typed-data); what to send comes from
// this dashboard (/vote/{id}/transaction, encoded from the compiled ABI); nothing here builds either by hand.
"use strict";

(() => {
  const section = document.getElementById("vote");
  if (!section) return;
  const cfg = section.dataset;
  const status = document.getElementById("vote-status");
  const choice = document.getElementById("choice");
  const say = (text, kind = "") => { status.textContent = text; status.dataset.kind = kind; };
  let account = null;

  const wallet = () => {
    if (!window.ethereum) {
      throw new Error("no wallet in this browser: install one (MetaMask, Rabby, Frame), open this page in your " +
                      "wallet's browser, or vote with the CLI");
    }
    return window.ethereum;
  };

  // A wallet's refusal in words: EIP-1193's codes first (the member declined, or the wallet cannot do it).
  const walletError = (err) => {
    if (err && err.code === 4001) return "you declined in your wallet";
    if (err && err.code === 4200) return "your wallet does not support this request";
    return (err && (err.message || err.reason)) || String(err);
  };

  const getJson = async (url, init) => {
    const response = await fetch(url, init);
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON: reported below */ }
    if (!response.ok) throw new Error((body && body.error) || `HTTP ${response.status}`);
    return body;
  };

  const support = () => Number(document.querySelector('input[name="support"]:checked').value);
  const reason = () => document.getElementById("reason").value;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const base = `/vote/${cfg.proposal}`;

  async function connect() {
    try {
      const accounts = await wallet().request({ method: "eth_requestAccounts" });
      if (!accounts || !accounts.length) throw new Error("your wallet gave no account");
      const chain = parseInt(await wallet().request({ method: "eth_chainId" }), 16);
      if (chain !== Number(cfg.chain)) {
        say(`your wallet is on chain ${chain}; this consortium is on chain ${cfg.chain}: switch networks in ` +
            "your wallet and connect again", "error");
        return;
      }
      account = accounts[0];
      const seat = await getJson(`${base}/seat/${account}`);
      document.getElementById("account").textContent = seat.member_id === null
        ? `${seat.address}: not a member's seat in the index`
        : `${seat.address}: ${seat.member} (${seat.tier}, ${seat.status})`;
      if (seat.voted) { say(`${seat.member} has voted ${seat.voted} on this proposal`, "done"); return; }
      if (seat.recused) { say(`${seat.member} is recused from this proposal: ${seat.recused}`, "done"); return; }
      if (cfg.open !== "yes") { say("voting is not open on this proposal", "error"); return; }
      choice.disabled = false;
      say(seat.member_id === null
        ? "this account is not a member's seat as far as the index knows; the relayer will say for sure"
        : "choose, then sign a ballot (no gas) or send a transaction");
    } catch (err) {
      say(walletError(err), "error");
    }
  }

  // The gas-free path: sign the relayer's typed data, post it, follow it until it is in a block (or refused).
  async function signBallot() {
    choice.disabled = true;
    try {
      const query = new URLSearchParams({ proposal_id: cfg.proposal, voter: account, support: support(),
                                          reason: reason() });
      const { typed_data: typed } = await getJson(`${cfg.relay}/typed-data?${query}`);
      say("sign the ballot in your wallet…");
      const signature = await wallet().request({ method: "eth_signTypedData_v4",
                                                 params: [account, JSON.stringify(typed)] });
      const ballot = { format: "consortium-ballot/1", chain_id: String(typed.domain.chainId),
                       governor: typed.domain.verifyingContract, proposal_id: cfg.proposal, voter: account,
                       support: support(), reason: reason(), signature };
      const accepted = await getJson(`${cfg.relay}/ballots`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(ballot) });
      say(`ballot ${accepted.id} accepted by the relayer; waiting for it to be submitted…`, "pending");
      await follow(accepted.id);
    } catch (err) {
      say(`not accepted: ${walletError(err)}`, "error");
      choice.disabled = false;
    }
  }

  async function follow(id) {
    for (;;) {
      const ballot = await getJson(`${cfg.relay}/ballots/${id}`);
      if (ballot.status === "included") {
        say(`your ballot is counted: included in transaction ${ballot.tx_hash}`, "done");
        return;
      }
      if (ballot.status === "rejected") {
        say(`your ballot was rejected: ${ballot.detail}`, "error");
        return;
      }
      say(`ballot ${id} is ${ballot.status}; waiting for the relayer's next batch…`, "pending");
      await sleep(1000);
    }
  }

  // A transaction from the member's own account: a direct vote, or a recusal.
  async function send(action) {
    choice.disabled = true;
    try {
      const query = new URLSearchParams({ action, reason: reason() });
      if (action === "vote") query.set("support", support());
      const tx = await getJson(`${base}/transaction?${query}`);
      const call = { from: account, to: tx.to, data: tx.data };
      // Simulated first: not every wallet refuses a transaction that would revert, and one mined only to revert
      // costs the member gas and tells it nothing. The revert's custom error is named instead.
      try {
        await wallet().request({ method: "eth_call", params: [call, "latest"] });
      } catch (err) {
        throw new Error(await revertReason(err));
      }
      say(`confirm in your wallet: ${tx.description}…`);
      let hash;
      try {
        hash = await wallet().request({ method: "eth_sendTransaction", params: [call] });
      } catch (err) {
        throw new Error(await revertReason(err));
      }
      say(`transaction ${hash} sent; waiting for it to be mined…`, "pending");
      for (;;) {
        const receipt = await wallet().request({ method: "eth_getTransactionReceipt", params: [hash] });
        if (receipt) {
          if (parseInt(receipt.status, 16) === 1) {
            say(`done: ${tx.description}, in transaction ${hash}`, "done");
          } else {
            say(`transaction ${hash} reverted`, "error");
            choice.disabled = false;
          }
          return;
        }
        await sleep(1000);
      }
    } catch (err) {
      say(`not sent: ${walletError(err)}`, "error");
      choice.disabled = false;
    }
  }

  // A wallet reports a reverting transaction with the revert data somewhere in its error: name the custom error.
  async function revertReason(err) {
    const data = [err && err.data, err && err.data && err.data.data, err && err.error && err.error.data]
      .find((d) => typeof d === "string" && /^0x([0-9a-fA-F]{2})+$/.test(d));
    if (!data) return walletError(err);
    try {
      return (await getJson(`/vote/revert?data=${data}`)).error;
    } catch (_) {
      return walletError(err);
    }
  }

  document.getElementById("connect").addEventListener("click", connect);
  document.getElementById("sign").addEventListener("click", () => signBallot());
  document.getElementById("send").addEventListener("click", () => send("vote"));
  document.getElementById("recuse").addEventListener("click", () => send("recuse"));
})();
