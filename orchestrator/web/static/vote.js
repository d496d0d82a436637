// The voting panel of an open proposal's page (templates/_vote_panel.html, web/voting.py): the member's wallet
// signs or sends, from the browser. The wallet is any EIP-1193 provider at window.ethereum. What to sign comes
// from the relayer (GET /typed-data) and what to send from this dashboard (/vote/{id}/transaction, encoded
// from the compiled ABI); nothing here builds either by hand.
//
// Neither the relayer nor the wallet's node is taken at its word: the typed data must be the member's own
// ballot (this chain, this governor, this proposal, the support and reason chosen, the connected account), the
// wallet must still be on this chain before anything is signed or sent, and "counted" is said only once the
// transaction's receipt holds the governor's VoteCast (or VoterRecused) for this voter and proposal.
"use strict";

(() => {
  const section = document.getElementById("vote");
  if (!section) return;
  const cfg = section.dataset;
  const status = document.getElementById("vote-status");
  const choice = document.getElementById("choice");
  const connectButton = document.getElementById("connect");
  const FOLLOW_FOR_MS = 10 * 60 * 1000; // a relayer that never includes the ballot is reported, not waited on
  const say = (text, kind = "") => { status.textContent = text; status.dataset.kind = kind; };
  let account = null;
  let busy = false;

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
  const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
  const base = `/vote/${cfg.proposal}`;
  const relay = cfg.relay.replace(/\/+$/, "");
  const word = (value) => BigInt(value).toString(16).padStart(64, "0");

  // Freeze the panel while a request is with the wallet or the relayer: the account cannot change under it.
  const hold = (on) => { busy = on; choice.disabled = on || !account; connectButton.disabled = on; };

  // The wallet must be on the consortium's chain now, not only when it connected.
  async function onChain() {
    const chain = parseInt(await wallet().request({ method: "eth_chainId" }), 16);
    if (chain !== Number(cfg.chain)) {
      throw new Error(`your wallet is on chain ${chain}; this consortium is on chain ${cfg.chain}: switch ` +
                      "networks in your wallet and connect again");
    }
  }

  // Voting must be open now (the page may have been opened before it opened, or left open after it closed).
  async function votingOpen() {
    const proposal = await getJson(`/api/proposals/${cfg.proposal}`);
    if (proposal.state !== "Active") throw new Error(`voting is not open: the proposal is ${proposal.state}`);
  }

  function forget(why) {
    account = null;
    document.getElementById("account").textContent = "";
    if (!busy) hold(false);
    say(why, "error");
  }

  async function connect() {
    try {
      const accounts = await wallet().request({ method: "eth_requestAccounts" });
      if (!accounts || !accounts.length) throw new Error("your wallet gave no account");
      await onChain();
      account = accounts[0];
      const seat = await getJson(`${base}/seat/${account}`);
      document.getElementById("account").textContent = seat.member_id === null
        ? `${seat.address}: not a member's seat in the index`
        : `${seat.address}: ${seat.member} (${seat.tier}, ${seat.status})`;
      if (seat.voted) { say(`${seat.member} has voted ${seat.voted} on this proposal`, "done"); return; }
      if (seat.recused) { say(`${seat.member} is recused from this proposal: ${seat.recused}`, "done"); return; }
      await votingOpen();
      hold(false);
      say(seat.member_id === null
        ? "this account is not a member's seat as far as the index knows; the relayer will say for sure"
        : "choose, then sign a ballot (no gas) or send a transaction");
    } catch (err) {
      account = null;
      say(walletError(err), "error");
    }
  }

  // The relayer's typed data must be exactly the member's ballot; the field that differs is named.
  function checkBallot(typed, chosen) {
    const domain = typed.domain || {}, message = typed.message || {};
    const differs = [
      ["the kind of message", typed.primaryType === "MemberBallot"],
      ["the chain", Number(domain.chainId) === Number(cfg.chain)],
      ["the governor", same(domain.verifyingContract, cfg.governor)],
      ["the proposal", String(message.proposalId) === cfg.proposal],
      ["the support", Number(message.support) === chosen.support],
      ["the voter", same(message.voter, account)],
      ["the reason", message.reason === chosen.reason],
    ].find(([, ok]) => !ok);
    if (differs) {
      throw new Error(`the relayer asked to sign a ballot that is not yours (${differs[0]} differs): not signed`);
    }
  }

  // The gas-free path: sign the relayer's typed data, post it, follow it until it is in a block (or refused).
  async function signBallot() {
    hold(true);
    try {
      await votingOpen();
      await onChain();
      const chosen = { support: support(), reason: reason() };
      const query = new URLSearchParams({ proposal_id: cfg.proposal, voter: account, support: chosen.support,
                                          reason: chosen.reason });
      const { typed_data: typed } = await getJson(`${relay}/typed-data?${query}`);
      checkBallot(typed, chosen);
      say("sign the ballot in your wallet…");
      const signature = await wallet().request({ method: "eth_signTypedData_v4",
                                                 params: [account, JSON.stringify(typed)] });
      const ballot = { format: "consortium-ballot/1", chain_id: cfg.chain, governor: cfg.governor,
                       proposal_id: cfg.proposal, voter: account, support: chosen.support, reason: chosen.reason,
                       signature };
      const accepted = await getJson(`${relay}/ballots`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(ballot) });
      say(`ballot ${accepted.id} accepted by the relayer; waiting for it to be submitted…`, "pending");
      await follow(accepted.id);
    } catch (err) {
      say(`not accepted: ${walletError(err)}`, "error");
      hold(false);
    }
  }

  async function follow(id) {
    const until = Date.now() + FOLLOW_FOR_MS;
    while (Date.now() < until) {
      const ballot = await getJson(`${relay}/ballots/${id}`);
      if (ballot.status === "included") {
        await proven(ballot.tx_hash, "VoteCast");
        say(`your ballot is counted: included in transaction ${ballot.tx_hash}`, "done");
        return;
      }
      if (ballot.status === "rejected") {
        say(`your ballot was rejected: ${ballot.detail}`, "error");
        hold(false);
        return;
      }
      say(`ballot ${id} is ${ballot.status}; waiting for the relayer's next batch…`, "pending");
      await sleep(1000);
    }
    say(`ballot ${id} is still not in a block after ${FOLLOW_FOR_MS / 60000} minutes: ask the relayer's ` +
        `operator, or vote by transaction`, "error");
    hold(false);
  }

  // The receipt of `hash`, read through the wallet's node, must hold the governor's event for this voter and
  // proposal: VoteCast(voter indexed, proposalId, …) or VoterRecused(proposalId indexed, memberId, seat indexed).
  async function proven(hash, event) {
    await onChain();
    const receipt = await wallet().request({ method: "eth_getTransactionReceipt", params: [hash] });
    const topic = event === "VoteCast" ? cfg.voteTopic : cfg.recusalTopic;
    const mine = (log) => same(log.address, cfg.governor) && same(log.topics[0], topic) && (event === "VoteCast"
      ? same(log.topics[1], "0x" + word(account)) && same(log.data.slice(2, 66), word(cfg.proposal))
      : same(log.topics[1], "0x" + word(cfg.proposal)) && same(log.topics[3], "0x" + word(account)));
    if (!receipt || parseInt(receipt.status, 16) !== 1 || !(receipt.logs || []).some(mine)) {
      throw new Error(`transaction ${hash} holds no ${event} of ${account} on this proposal from the governor`);
    }
  }

  // A transaction from the member's own account: a direct vote, or a recusal.
  async function send(action) {
    hold(true);
    try {
      await votingOpen();
      const query = new URLSearchParams({ action, reason: reason() });
      if (action === "vote") query.set("support", support());
      const tx = await getJson(`${base}/transaction?${query}`);
      if (!same(tx.to, cfg.governor)) throw new Error("the transaction is not to the governor: not sent");
      const call = { from: account, to: tx.to, data: tx.data };
      // Simulated first: not every wallet refuses a transaction that would revert, and one mined only to revert
      // costs the member gas and tells it nothing. The revert's custom error is named instead.
      await onChain();
      try {
        await wallet().request({ method: "eth_call", params: [call, "latest"] });
      } catch (err) {
        throw new Error(await revertReason(err));
      }
      say(`confirm in your wallet: ${tx.description}…`);
      await onChain();
      let hash;
      try {
        hash = await wallet().request({ method: "eth_sendTransaction", params: [call] });
      } catch (err) {
        throw new Error(await revertReason(err));
      }
      say(`transaction ${hash} sent; waiting for it to be mined…`, "pending");
      while (!(await wallet().request({ method: "eth_getTransactionReceipt", params: [hash] }))) {
        await sleep(1000);
      }
      await proven(hash, action === "vote" ? "VoteCast" : "VoterRecused");
      say(`done: ${tx.description}, in transaction ${hash}`, "done");
    } catch (err) {
      say(`not sent: ${walletError(err)}`, "error");
      hold(false);
    }
  }

  // A wallet reports a reverting call with the revert data somewhere in its error: name the custom error.
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

  if (window.ethereum && typeof window.ethereum.on === "function") {
    window.ethereum.on("chainChanged", () => forget("your wallet changed networks: connect again"));
    window.ethereum.on("accountsChanged", () => forget("your wallet changed accounts: connect again"));
  }
  connectButton.addEventListener("click", connect);
  document.getElementById("sign").addEventListener("click", () => signBallot());
  document.getElementById("send").addEventListener("click", () => send("vote"));
  document.getElementById("recuse").addEventListener("click", () => send("recuse"));
})();
