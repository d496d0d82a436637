// The voting panel of an open proposal's page (templates/_vote_panel.html, web/voting.py): the member's wallet
// signs or sends, from the browser. The wallet is any EIP-1193 provider at window.ethereum. What to sign comes
// from the relayer (GET /typed-data) and what to send from this dashboard (/vote/{id}/transaction, encoded
// from the compiled ABI); nothing here builds either by hand.
//
// Neither the relayer nor the wallet's node is taken at its word: the typed data must be the member's own
// ballot (this chain, this governor, this proposal, the support and reason chosen, the connected account), the
// wallet must still be on this chain before anything is signed or sent, and "counted" is said only once the
// transaction's receipt holds the governor's VoteCast (or VoterRecused) for this voter and proposal.
//
// On a sealed proposal (data-reveal-start) the panel commits, then reveals, gas-free through the relayer. The salt
// is keccak256("consortium sealed salt" ‖ the wallet's signature of SealedSalt(proposalId, voter)), as the CLI
// derives it (relay/ballots.py sealed_salt), and the commitment keccak256(abi.encode(chainId, governor, proposalId,
// memberId, support, salt)), both computed here (keccak.js): neither the vote nor the salt leaves this browser
// before the reveal start, which the page checks against the chain's clock (through the wallet) before it sends a
// reveal. A wallet must sign deterministically (RFC 6979, as wallets do) to derive its salt again: the page asks for
// the salt signature twice before committing, and commits nothing if the two differ.
//
// On an election's ballot (data-election) the member ticks the candidates it approves (each checkbox's value is
// the candidate's bit); the wallet signs the relayer's ApprovalBallot over that bitmap, checked field for field and
// against the governor's own EIP-712 domain, and "counted" is said once the receipt holds the governor's
// VoteCastWithParams for this voter and proposal.
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
  let memberId = null; // the seat's member per the index, once connected
  let busy = false;
  const revealStart = Number(cfg.revealStart || 0); // 0: an open proposal
  const election = cfg.election || ""; // the election whose ballot this is; "": none
  const NAMES = { 0: "against", 1: "for", 2: "abstain" };

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
      memberId = seat.member_id;
      document.getElementById("account").textContent = seat.member_id === null
        ? `${seat.address}: not a member's seat in the index`
        : `${seat.address}: ${seat.member} (${seat.tier}, ${seat.status})`;
      if (seat.voted && election) { say(`${seat.member} has voted on this election's ballot`, "done"); return; }
      if (seat.voted) { say(`${seat.member} has voted ${seat.voted} on this proposal`, "done"); return; }
      if (seat.recused) { say(`${seat.member} is recused from this proposal: ${seat.recused}`, "done"); return; }
      await votingOpen();
      if (revealStart) {
        const revealing = await showPhase();
        hold(false);
        say(revealing ? "reveal your vote (no gas): your wallet signs for your salt again, and the page finds the " +
                        "vote you committed to"
                      : `choose, then commit to your vote (no gas); reveal it from ${utcText(revealStart)}`);
        return;
      }
      hold(false);
      say(seat.member_id === null
        ? "this account is not a member's seat as far as the index knows; the relayer will say for sure"
        : election ? "tick the candidates you approve (or none, to abstain), then sign your approval ballot (no gas)"
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

  // Follow a ballot (a commitment, a reveal: `kind`) at the relayer until it is in a block, then prove it from the
  // receipt (`event`) and say `counted(tx)`.
  async function follow(id, kind = "ballot", event = "VoteCast",
                        counted = (tx) => `your ballot is counted: included in transaction ${tx}`) {
    const until = Date.now() + FOLLOW_FOR_MS;
    while (Date.now() < until) {
      const item = await getJson(`${relay}/${kind}s/${id}`);
      if (item.status === "included") {
        await proven(item.tx_hash, event);
        say(counted(item.tx_hash), "done");
        return;
      }
      if (item.status === "rejected") {
        say(`your ${kind} was rejected: ${item.detail}`, "error");
        hold(false);
        return;
      }
      say(`${kind} ${id} is ${item.status}; waiting for the relayer's next batch…`, "pending");
      await sleep(1000);
    }
    say(`${kind} ${id} is still not in a block after ${FOLLOW_FOR_MS / 60000} minutes: ask the relayer's ` +
        `operator, or vote by transaction`, "error");
    hold(false);
  }

  // The receipt of `hash`, read through the wallet's node, must hold the governor's event for this voter and
  // proposal: VoteCast(voter indexed, proposalId, …), VoterRecused(proposalId indexed, memberId, seat indexed) or
  // VoteCommitted(proposalId indexed, voter indexed, memberId indexed, commitment).
  async function proven(hash, event) {
    await onChain();
    const receipt = await wallet().request({ method: "eth_getTransactionReceipt", params: [hash] });
    const topic = { VoteCast: cfg.voteTopic, VoterRecused: cfg.recusalTopic, VoteCommitted: cfg.commitTopic,
                    VoteCastWithParams: cfg.approvalTopic }[event];
    const ours = {
      VoteCast: (log) => same(log.topics[1], "0x" + word(account)) && same(log.data.slice(2, 66), word(cfg.proposal)),
      VoteCastWithParams: (log) => same(log.topics[1], "0x" + word(account)) &&
        same(log.data.slice(2, 66), word(cfg.proposal)),
      VoterRecused: (log) => same(log.topics[1], "0x" + word(cfg.proposal)) && same(log.topics[3], "0x" + word(account)),
      VoteCommitted: (log) => same(log.topics[1], "0x" + word(cfg.proposal)) && same(log.topics[2], "0x" + word(account)),
    }[event];
    const mine = (log) => same(log.address, cfg.governor) && same(log.topics[0], topic) && ours(log);
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

  // ───── sealed proposals ─────

  const hexBytes = (hex) => Uint8Array.from(hex.slice(2).match(/../g) || [], (b) => parseInt(b, 16));
  const toHex = (bytes) => "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
    return out;
  };
  // A chain timestamp as the CLI and the relayer write it ("2026-12-01 10:23:28 UTC").
  const utcText = (ts) => new Date(ts * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const SALT_PREFIX = new TextEncoder().encode("consortium sealed salt");
  // What the typed data to sign must declare, field for field: a relayer cannot have the wallet sign anything else.
  const DOMAIN_TYPES = [{ name: "name", type: "string" }, { name: "version", type: "string" },
                        { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }];
  const SEALED_TYPES = {
    SealedSalt: [{ name: "proposalId", type: "uint256" }, { name: "voter", type: "address" }],
    SealedBallot: [{ name: "proposalId", type: "uint256" }, { name: "voter", type: "address" },
                   { name: "commitment", type: "bytes32" }],
  };

  // The chain's clock, through the wallet's node: what the governor compares the reveal start with.
  async function chainTime() {
    const block = await wallet().request({ method: "eth_getBlockByNumber", params: ["latest", false] });
    return parseInt(block.timestamp, 16);
  }

  // Which of the commit and reveal buttons the phase calls for (the next block comes after the latest one).
  async function showPhase() {
    const revealing = (await chainTime()) + 1 >= revealStart;
    document.getElementById("commit").hidden = revealing;
    document.getElementById("reveal").hidden = !revealing;
    return revealing;
  }

  // The governor's EIP-712 name and version, asked of the governor itself (eip712Domain) through the wallet's
  // node: the salt hangs on the whole domain, so a relayer serving another name would make a salt no honest
  // tool derives again, and a commitment nobody could reveal.
  async function governorDomain() {
    const out = await wallet().request({ method: "eth_call", params: [{ to: cfg.governor, data: "0x84b0196e" },
                                                                      "latest"] });
    const bytes = hexBytes(out);
    const at = (offset) => Number(BigInt("0x" + out.slice(2 + 2 * offset, 2 + 2 * offset + 64)));
    const text = (head) => {
      const start = at(32 * head);
      return new TextDecoder().decode(bytes.slice(start + 32, start + 32 + at(start)));
    };
    return { name: text(1), version: text(2) };
  }

  function checkSealed(typed, primary, expected, commitment) {
    const domain = typed.domain || {}, message = typed.message || {};
    const differs = [
      ["the domain's name or version", domain.name === expected.name && domain.version === expected.version],
      ["the kind of message", typed.primaryType === primary],
      ["its fields", JSON.stringify((typed.types || {})[primary]) === JSON.stringify(SEALED_TYPES[primary]) &&
        JSON.stringify((typed.types || {}).EIP712Domain) === JSON.stringify(DOMAIN_TYPES) &&
        Object.keys(typed.types || {}).length === 2],
      ["the chain", Number(domain.chainId) === Number(cfg.chain)],
      ["the governor", same(domain.verifyingContract, cfg.governor)],
      ["the proposal", String(message.proposalId) === cfg.proposal],
      ["the voter", same(message.voter, account)],
      ["the commitment", primary !== "SealedBallot" || same(message.commitment, commitment)],
    ].find(([, ok]) => !ok);
    if (differs) {
      const what = primary === "SealedSalt" ? "salt request" : "commitment";
      throw new Error(`the relayer asked to sign a ${what} that is not yours (${differs[0]} differs): not signed`);
    }
  }

  // An account's signature in the 65-byte form with v of 27 or 28, as the CLI's key signs (ballots.py
  // canonical_ecdsa): a wallet answering v 0/1, or EIP-2098's 64 bytes, derives the same salt as the CLI.
  function canonicalSignature(signature) {
    const bytes = typeof signature === "string" && /^0x([0-9a-fA-F]{2})+$/.test(signature) ? hexBytes(signature) : null;
    if (bytes && bytes.length === 64) {
      const s = bytes.slice(32);
      const v = 27 + (s[0] >> 7);
      s[0] &= 0x7f;
      return concat(bytes.slice(0, 32), s, [v]);
    }
    if (bytes && bytes.length === 65 && [0, 1, 27, 28].includes(bytes[64])) {
      bytes[64] = 27 + (bytes[64] % 27);
      return bytes;
    }
    throw new Error("your wallet's signature is not an account's (a contract wallet's?), so no salt can be derived " +
                    "from it again: a Safe member votes on a sealed proposal with the CLI");
  }

  async function deriveSalt() {
    const query = new URLSearchParams({ proposal_id: cfg.proposal, voter: account });
    const { typed_data: typed } = await getJson(`${relay}/typed-data/salt?${query}`);
    checkSealed(typed, "SealedSalt", await governorDomain());
    await onChain();
    const signature = await wallet().request({ method: "eth_signTypedData_v4",
                                               params: [account, JSON.stringify(typed)] });
    return toHex(window.keccak256(concat(SALT_PREFIX, canonicalSignature(signature))));
  }

  const commitmentOf = (vote, salt, member) => toHex(window.keccak256(hexBytes(
    "0x" + [cfg.chain, cfg.governor, cfg.proposal, member, vote].map(word).join("") + salt.slice(2))));

  // The member's commitment as the governor (or the relayer, unsent) holds it, and its member at the snapshot.
  async function commitmentAtRelayer() {
    const query = new URLSearchParams({ proposal_id: cfg.proposal, voter: account });
    const mine = await getJson(`${relay}/commitments?${query}`);
    if (memberId !== null && Number(mine.member_id) !== Number(memberId)) {
      throw new Error(`the relayer says this seat is member ${mine.member_id}'s at the snapshot, the index says ` +
                      `member ${memberId}'s: nothing signed`);
    }
    return mine;
  }

  async function commit() {
    hold(true);
    try {
      await votingOpen();
      await onChain();
      if ((await chainTime()) + 1 >= revealStart) {
        throw new Error(`commitments closed at ${utcText(revealStart)}: reveal your vote instead`);
      }
      const chosen = support();
      const mine = await commitmentAtRelayer();
      if (mine.commitment) {
        throw new Error(`member ${mine.member_id} has already committed to a vote on this proposal; a commitment is ` +
                        "never replaced: reveal it from " + utcText(revealStart));
      }
      say("sign the salt request in your wallet (1 of 3): its signature makes the secret that hides your vote…");
      const salt = await deriveSalt();
      say("sign the salt request once more (2 of 3): your wallet must sign it the same way to reveal later…");
      if ((await deriveSalt()) !== salt) {
        throw new Error("your wallet signed the salt request differently the second time, so it could not derive " +
                        "your salt again to reveal: nothing committed; commit with the CLI (`consortium vote … " +
                        "--sign-only` writes the salt to a file you keep)");
      }
      const commitment = commitmentOf(chosen, salt, mine.member_id);
      const query = new URLSearchParams({ proposal_id: cfg.proposal, voter: account, commitment });
      const { typed_data: typed } = await getJson(`${relay}/typed-data/commitment?${query}`);
      checkSealed(typed, "SealedBallot", await governorDomain(), commitment);
      say("sign your commitment in your wallet (3 of 3)…");
      await onChain();
      const signature = await wallet().request({ method: "eth_signTypedData_v4",
                                                 params: [account, JSON.stringify(typed)] });
      const body = { format: "consortium-commitment/1", chain_id: cfg.chain, governor: cfg.governor,
                     proposal_id: cfg.proposal, voter: account, commitment, signature };
      const accepted = await getJson(`${relay}/commitments`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      say(`commitment ${accepted.id} accepted by the relayer; waiting for it to be submitted…`, "pending");
      await follow(accepted.id, "commitment", "VoteCommitted", (tx) =>
        `your commitment is recorded in transaction ${tx}; come back from ${utcText(revealStart)} to reveal your vote`);
    } catch (err) {
      say(`not committed: ${walletError(err)}`, "error");
      hold(false);
    }
  }

  async function reveal() {
    hold(true);
    try {
      await votingOpen();
      await onChain();
      // Before the reveal start nothing is sent: a vote revealed early is a vote known early.
      // As orchestrator/chain/proposals.py reveals_open: the node estimates at the latest block's time.
      if ((await chainTime()) < revealStart) {
        throw new Error(`reveals open at ${utcText(revealStart)}; nothing was sent`);
      }
      const mine = await commitmentAtRelayer();
      if (!mine.commitment) {
        throw new Error("you have no commitment on this proposal, recorded by the governor or held by the relayer: " +
                        "there is nothing to reveal");
      }
      say("sign the salt request in your wallet: its signature makes the salt your vote was committed with…");
      const salt = await deriveSalt();
      const vote = [1, 0, 2].find((v) => same(commitmentOf(v, salt, mine.member_id), mine.commitment));
      if (vote === undefined) {
        throw new Error("the salt your wallet derives opens none of for, against or abstain in your commitment: it " +
                        "was made with another wallet or salt (the CLI's reveal file holds its salt)");
      }
      const body = { format: "consortium-reveal/1", chain_id: cfg.chain, governor: cfg.governor,
                     proposal_id: cfg.proposal, voter: account, support: vote, salt };
      const accepted = await getJson(`${relay}/reveals`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      say(`reveal ${accepted.id} accepted by the relayer; waiting for it to be submitted…`, "pending");
      await follow(accepted.id, "reveal", "VoteCast", (tx) =>
        `your vote (${NAMES[vote]}) is revealed and counted: in transaction ${tx}`);
    } catch (err) {
      say(`not revealed: ${walletError(err)}`, "error");
      hold(false);
    }
  }

  // ───── elections ─────

  const APPROVAL_TYPES = [{ name: "proposalId", type: "uint256" }, { name: "voter", type: "address" },
                          { name: "approvals", type: "uint256" }];

  // The bitmap of the ticked candidates: bit c for the candidate at index c of the election's list.
  const approvals = () => Array.from(document.querySelectorAll('input[name="approve"]:checked'))
    .reduce((bits, box) => bits | (1n << BigInt(box.value)), 0n);

  const approvedNames = () => Array.from(document.querySelectorAll('input[name="approve"]:checked'))
    .map((box) => box.parentElement.textContent.trim());

  // The relayer's typed data must be exactly the member's approval ballot, in the governor's own domain.
  function checkApproval(typed, bitmap, expected) {
    const domain = typed.domain || {}, message = typed.message || {};
    const differs = [
      ["the domain's name or version", domain.name === expected.name && domain.version === expected.version],
      ["the kind of message", typed.primaryType === "ApprovalBallot"],
      ["its fields", JSON.stringify((typed.types || {}).ApprovalBallot) === JSON.stringify(APPROVAL_TYPES) &&
        JSON.stringify((typed.types || {}).EIP712Domain) === JSON.stringify(DOMAIN_TYPES) &&
        Object.keys(typed.types || {}).length === 2],
      ["the chain", Number(domain.chainId) === Number(cfg.chain)],
      ["the governor", same(domain.verifyingContract, cfg.governor)],
      ["the proposal", String(message.proposalId) === cfg.proposal],
      ["the voter", same(message.voter, account)],
      ["the candidates approved", String(message.approvals) === bitmap.toString()],
    ].find(([, ok]) => !ok);
    if (differs) {
      throw new Error(`the relayer asked to sign an approval ballot that is not yours (${differs[0]} differs): ` +
                      "not signed");
    }
  }

  async function approve() {
    hold(true);
    try {
      await votingOpen();
      await onChain();
      const bitmap = approvals();
      const names = approvedNames();
      const query = new URLSearchParams({ proposal_id: cfg.proposal, voter: account, approvals: bitmap.toString() });
      const { typed_data: typed } = await getJson(`${relay}/typed-data/approval?${query}`);
      checkApproval(typed, bitmap, await governorDomain());
      say(`sign your approval ballot in your wallet: you approve ${names.length ? names.join(", ") : "nobody (an " +
          "abstention)"}…`);
      await onChain();
      const signature = await wallet().request({ method: "eth_signTypedData_v4",
                                                 params: [account, JSON.stringify(typed)] });
      const body = { format: "consortium-approval/1", chain_id: cfg.chain, governor: cfg.governor,
                     proposal_id: cfg.proposal, voter: account, approvals: bitmap.toString(), signature };
      const accepted = await getJson(`${relay}/approvals`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      say(`approval ballot ${accepted.id} accepted by the relayer; waiting for it to be submitted…`, "pending");
      await follow(accepted.id, "approval", "VoteCastWithParams", (tx) =>
        `your approval ballot is counted: included in transaction ${tx}`);
    } catch (err) {
      say(`not accepted: ${walletError(err)}`, "error");
      hold(false);
    }
  }

  if (window.ethereum && typeof window.ethereum.on === "function") {
    window.ethereum.on("chainChanged", () => forget("your wallet changed networks: connect again"));
    window.ethereum.on("accountsChanged", () => forget("your wallet changed accounts: connect again"));
  }
  const onClick = (id, handler) => {
    const button = document.getElementById(id);
    if (button) button.addEventListener("click", handler);
  };
  connectButton.addEventListener("click", connect);
  onClick("sign", () => signBallot());
  onClick("send", () => send("vote"));
  onClick("recuse", () => send("recuse"));
  onClick("commit", () => commit());
  onClick("reveal", () => reveal());
  onClick("approve", () => approve());
})();
