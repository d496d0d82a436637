// Live refresh of a proposal page while its vote is open (progressive enhancement: the page is complete
// without it). Every few seconds it re-reads the proposal's JSON and its server-drawn chart, and updates
// the state, the tallies and turnout per tier, the quorum reached and the "as of block" line. It stops once
// the governor's state is no longer Pending or Active. Text is set with textContent, never as markup.
(function () {
  "use strict";
  var summary = document.getElementById("summary");
  if (!summary) return;
  var id = summary.dataset.proposal, every = Number(summary.dataset.refresh || 5000);
  function set(el, text) { if (el && el.textContent !== text) el.textContent = text; }
  function number(n) { return Number(n).toLocaleString("en-US"); }
  function refresh() {
    fetch("/api/proposals/" + id, {cache: "no-store"}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (p) {
      set(document.getElementById("state"), p.state);
      set(document.getElementById("asof-block"), String(p.as_of_block));
      set(document.getElementById("asof-time"), p.as_of);
      set(document.getElementById("quorum-reached"), number(p.quorum_reached));
      p.tiers.forEach(function (t) {
        var row = document.querySelector('#tallies tr[data-tier="' + CSS.escape(t.tier) + '"]');
        if (!row) return;
        ["for", "against", "abstain"].forEach(function (k) { set(row.querySelector('[data-field="' + k + '"]'), number(t[k])); });
        set(row.querySelector('[data-field="voted"]'), number(t.voted) + " / " + number(t.eligible));
        set(row.querySelector('[data-field="turnout"]'), t.turnout);
      });
      return fetch("/proposals/" + id + "/chart.svg", {cache: "no-store"}).then(function (r) { return r.text(); })
        .then(function (svg) {
          var parsed = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
          var chart = document.getElementById("chart");
          if (chart && parsed.nodeName === "svg") chart.replaceChildren(document.importNode(parsed, true));
        }).then(function () { return p.state; });
    }).then(function (state) {
      if (state === "Pending" || state === "Active") setTimeout(refresh, every);
    }, function () { setTimeout(refresh, every * 2); });  // the server may be restarting: try again, slower
  }
  setTimeout(refresh, every);
})();
