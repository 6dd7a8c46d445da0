// seesaw status page: polls status.json and rebuilds the tables. Every
// string from the daemon goes into the DOM as text (textContent, text
// nodes), never as markup.
"use strict";

(function () {
  const pollMs = 1000;
  const timeoutMs = 5000;
  let lastOK = null;
  let lastText = "";

  // el builds an element; kids are nodes or strings (added as text).
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") {
        e.className = v;
      } else {
        e.setAttribute(k, String(v));
      }
    }
    for (const k of kids) {
      if (k !== null && k !== undefined) {
        e.append(k instanceof Node ? k : String(k));
      }
    }
    return e;
  }

  // backendState is the row's colour: up, down, failing (healthy but the
  // last check failed), drained (by hand), disabled (in config) or unknown
  // (no check result yet).
  function backendState(b) {
    if (b.drained_by_hand) return "drained";
    if (b.reason === "disabled") return "disabled";
    if (!b.healthy) return "down";
    if (!b.last_check) return "unknown";
    if (b.last_check !== "ok") return "failing";
    return "up";
  }

  const healthLabel = {
    up: "UP", down: "DOWN", failing: "UP, failing", drained: "DRAINED",
    disabled: "DISABLED", unknown: "NO CHECK",
  };

  function vrrpState(v) {
    if (v.state === "master") return "up";
    if (v.state === "backup") return "unknown";
    if (v.state === "standalone") return v.active ? "up" : "unknown";
    return "failing";
  }

  function counts(m) {
    const keys = Object.keys(m || {}).sort();
    if (keys.length === 0) return "0";
    return keys.map((k) => k + "=" + m[k]).join(" ");
  }

  function renderHeader(s) {
    document.getElementById("node").textContent = s.node || "";
    const v = document.getElementById("vrrp");
    let text = "vrrp " + s.vrrp.state;
    if (s.vrrp.priority) text += " (priority " + s.vrrp.priority + ")";
    v.textContent = text;
    v.className = "badge state-" + vrrpState(s.vrrp);
    v.setAttribute("data-state", s.vrrp.state);
  }

  function renderSummary(s) {
    const lr = s.last_reconcile || {};
    const rows = [
      ["VRRP", s.vrrp.state + (s.vrrp.active ? ", holds the VIPs" : ", holds no VIPs")],
      ["Master (peer)", s.vrrp.master || "—"],
      ["Config generation", String(s.generation) + " from " + (s.files || []).join(" ")],
      ["Config error held back", s.config_error || "none"],
      ["Last reconcile", lr.at && !lr.at.startsWith("0001-") ? lr.at : "never"],
      ["Applied", counts(lr.applied)],
      ["Failed", counts(lr.failed)],
    ];
    const instances = s.vrrp.instances || [];
    if (instances.length > 1 || (instances.length === 1 && instances[0].name !== "default")) {
      for (const i of instances) {
        let v = i.state + " (priority " + i.priority + ", VRID " + i.vrid + " on " + i.interface + ")";
        v += i.active ? ", holds its addresses" : ", holds none";
        if (i.master) v += ", master " + i.master;
        if (i.sync_group) v += ", sync group " + i.sync_group;
        rows.push(["VRRP instance " + i.name, v]);
      }
    }
    if (lr.error) rows.push(["Reconcile error", lr.error]);
    if (lr.held) rows.push(["Plan held back", lr.held]);
    if ((s.drained_by_hand || []).length) rows.push(["Drained by hand", s.drained_by_hand.join(" ")]);
    const degraded = Object.keys(s.degraded || {}).sort().map((part) => "Degraded: " + part);
    for (const k of degraded) rows.push([k, s.degraded[k.slice("Degraded: ".length)]]);
    const dl = el("dl");
    for (const [k, v] of rows) {
      const dd = el("dd", {}, v);
      if ((k === "Config error held back" && s.config_error) || k === "Reconcile error" || k === "Plan held back" || degraded.includes(k)) {
        dd.className = "state-down";
      }
      dl.append(el("dt", {}, k), dd);
    }
    document.getElementById("summary").replaceChildren(dl);
  }

  // rate renders bytes per second as bits per second, as links are sized.
  function rate(bytesPerSecond) {
    let v = bytesPerSecond * 8;
    for (const unit of ["bit/s", "kbit/s", "Mbit/s", "Gbit/s"]) {
      if (v < 1000 || unit === "Gbit/s") return (unit === "bit/s" ? String(v) : v.toFixed(1)) + " " + unit;
      v /= 1000;
    }
    return "";
  }

  // trafficCells are a backend's connections and rates in the kernel; "—"
  // when it has no destination there or the counters could not be read.
  function trafficCells(t) {
    if (!t) return [1, 2, 3, 4, 5].map(() => el("td", { class: "num" }, "—"));
    return [
      el("td", { class: "num active" }, t.active_conns),
      el("td", { class: "num" }, t.inactive_conns),
      el("td", { class: "num" }, t.conns_per_second),
      el("td", { class: "num" }, rate(t.in_bytes_per_second)),
      el("td", { class: "num" }, rate(t.out_bytes_per_second)),
    ];
  }

  function serviceTable(svc) {
    const state = svc.up ? "up" : "down";
    const vip = (svc.vip || "—") + (svc.vip_held ? " (held)" : "");
    const caption = el("caption", {},
      el("span", { class: "service-name" }, svc.name),
      el("span", { class: "badge state-" + state, "data-state": state }, state),
      el("span", {}, "VIP " + vip),
      el("span", {}, "healthy " + svc.healthy + "/" + svc.enabled),
      el("span", {}, "watermarks " + svc.low_watermark + "–" + svc.high_watermark),
      svc.fallbacks_in_use ? el("span", { class: "fallback" }, "on fallback (" + svc.fallbacks_in_use + ")") : null);
    const cols = el("tr", {}, ...["Backend", "Weight", "Effective", "Reason", "Health", "Last check", "Latency",
      "Active", "Inactive", "Conn/s", "In", "Out"].map((c) => el("th", {}, c)));
    const body = el("tbody");
    for (const b of svc.backends || []) {
      const st = backendState(b);
      body.append(el("tr", { class: "backend state-" + st, "data-backend": b.address, "data-state": st },
        el("td", { class: "addr" }, b.address + (b.fallback ? " (fallback)" : "")),
        el("td", { class: "num" }, b.weight),
        el("td", { class: "num" }, b.effective_weight),
        el("td", {}, b.reason),
        el("td", { class: "health" }, healthLabel[st]),
        el("td", { class: "check" }, b.last_check || "—"),
        el("td", { class: "num" }, b.last_check ? (b.latency_ms || 0).toFixed(2) + " ms" : "—"),
        ...trafficCells(b.traffic)));
    }
    return el("table", { class: "service", "data-service": svc.name },
      caption, el("thead", {}, cols), body);
  }

  function renderCheckServices(s) {
    const box = document.getElementById("check-services");
    const list = s.check_services || [];
    if (list.length === 0) {
      box.replaceChildren();
      return;
    }
    const rows = list.map((c) => el("tr", {},
      el("td", { class: "addr" }, c.service), el("td", { class: "addr" }, c.backend), el("td", {}, c.forward)));
    box.replaceChildren(el("h2", {}, "Check services"),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Service"), el("th", {}, "Backend"), el("th", {}, "Forward"))),
        el("tbody", {}, ...rows)));
  }

  // renderBGP shows node.bgp's sessions and each VIP's route verdict.
  function renderBGP(s) {
    const box = document.getElementById("bgp");
    const b = s.bgp;
    if (!b) {
      box.replaceChildren();
      return;
    }
    const state = !b.running ? "not running" : b.drained_by_hand ? "drained by hand" : "running";
    const peers = (b.peers || []).map((p) => el("tr", { class: "peer state-" + (p.up ? "up" : "down"), "data-peer": p.address },
      el("td", { class: "addr" }, p.address), el("td", { class: "num" }, p.asn), el("td", {}, p.state),
      el("td", { class: "num" }, p.received), el("td", { class: "num" }, p.advertised)));
    const routes = (b.routes || []).map((r) => el("tr", { class: "route state-" + (r.announced ? "up" : "down"), "data-route": r.prefix },
      el("td", { class: "addr" }, r.prefix), el("td", {}, r.announced ? "announced" : "withdrawn"),
      el("td", { class: "num" }, r.services_up + "/" + r.services), el("td", {}, r.reason)));
    const head = (...cols) => el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, c))));
    box.replaceChildren(el("h2", {}, "BGP ", el("span", { class: "muted", id: "bgp-state" }, state)),
      b.error ? el("p", { class: "problem" }, b.error) : null,
      el("table", { id: "bgp-peers" }, head("Peer", "ASN", "State", "Received", "Advertised"), el("tbody", {}, ...peers)),
      el("table", { id: "bgp-routes" }, head("Route", "Announced", "Services up", "Why"), el("tbody", {}, ...routes)));
  }

  function render(s) {
    renderHeader(s);
    renderSummary(s);
    document.getElementById("services").replaceChildren(...(s.services || []).map(serviceTable));
    renderCheckServices(s);
    renderBGP(s);
  }

  function showProblem(text) {
    const p = document.getElementById("problem");
    p.textContent = text;
    p.hidden = !text;
    document.body.classList.toggle("stale", Boolean(text));
  }

  async function poll() {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      const resp = await fetch("status.json", { cache: "no-store", signal: ctl.signal });
      if (!resp.ok) throw new Error("status.json: HTTP " + resp.status);
      const text = await resp.text();
      if (text !== lastText) { // unchanged: keep the DOM (and any selection) as it is
        render(JSON.parse(text));
        lastText = text;
      }
      lastOK = new Date();
      showProblem("");
      document.getElementById("updated").textContent = "updated " + lastOK.toLocaleTimeString();
    } catch (err) {
      const since = lastOK ? " (showing the status of " + lastOK.toLocaleTimeString() + ")" : "";
      showProblem("status update failed: " + err.message + since);
    } finally {
      clearTimeout(timer);
      setTimeout(poll, pollMs);
    }
  }

  poll();
})();
