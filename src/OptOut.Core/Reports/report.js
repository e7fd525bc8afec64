// The review script of an OptOut match report. It reads everything it needs from the page's own
// data attributes (never from strings built into the script), keeps decisions in memory, and
// exports them as JSON or CSV through a Blob download: nothing leaves the machine.
(function () {
  'use strict';
  var FIELDS = ['query', 'querySha256', 'dataset', 'key', 'url', 'caption', 'width', 'height', 'matchKind', 'similarity', 'hashDistance', 'sha256'];
  var ATTRS = ['query', 'query-sha256', 'dataset', 'key', 'url', 'caption', 'width', 'height', 'kind', 'score', 'hash-distance', 'sha256'];
  var cards = Array.prototype.slice.call(document.querySelectorAll('article.m'));
  var decisions = {};
  var tally = document.getElementById('tally');

  function decide(card, value) {
    var id = card.getAttribute('data-i');
    if (value) { decisions[id] = value; } else { delete decisions[id]; }
    card.classList.toggle('is-mine', value === 'mine');
    card.classList.toggle('is-not', value === 'not-mine');
    card.querySelector('button.mine').setAttribute('aria-pressed', String(value === 'mine'));
    card.querySelector('button.not').setAttribute('aria-pressed', String(value === 'not-mine'));
    updateTally();
  }

  function updateTally() {
    var mine = 0, not = 0;
    for (var id in decisions) { if (decisions[id] === 'mine') { mine++; } else { not++; } }
    tally.textContent = mine + ' mine, ' + not + ' not mine, ' + (cards.length - mine - not) + ' not reviewed';
  }

  function record(card) {
    var r = { id: Number(card.getAttribute('data-i')), decision: decisions[card.getAttribute('data-i')] };
    for (var i = 0; i < FIELDS.length; i++) {
      var v = card.getAttribute('data-' + ATTRS[i]);
      if (v === null) { r[FIELDS[i]] = null; continue; }
      r[FIELDS[i]] = (FIELDS[i] === 'width' || FIELDS[i] === 'height' || FIELDS[i] === 'hashDistance' || FIELDS[i] === 'similarity') && v !== '' ? Number(v) : v;
    }
    return r;
  }

  function decided() {
    return cards.filter(function (c) { return decisions[c.getAttribute('data-i')]; }).map(record);
  }

  function download(name, type, text) {
    var blob = new Blob([text], { type: type });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // A cell a spreadsheet would run as a formula gets a leading apostrophe; Import-MatchReview removes it.
  function csvCell(v) {
    if (v === null || v === undefined) { return ''; }
    var s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) { s = "'" + s; }
    return /[",\r\n]/.test(s) || s !== s.trim() ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  document.getElementById('export-json').addEventListener('click', function () {
    var doc = { format: 'optout-match-review', version: 1, title: document.body.getAttribute('data-title'),
      claimant: document.body.getAttribute('data-claimant'), exported: new Date().toISOString(), decisions: decided() };
    download('decisions.json', 'application/json', JSON.stringify(doc, null, 2) + '\n');
  });

  document.getElementById('export-csv').addEventListener('click', function () {
    var header = ['id', 'decision'].concat(FIELDS);
    var lines = [header.join(',')];
    decided().forEach(function (r) { lines.push(header.map(function (h) { return csvCell(r[h]); }).join(',')); });
    download('decisions.csv', 'text/csv', lines.join('\r\n') + '\r\n');
  });

  document.addEventListener('click', function (e) {
    var button = e.target.closest('.review button');
    if (!button) { return; }
    var card = button.closest('article.m');
    var value = button.classList.contains('mine') ? 'mine' : 'not-mine';
    decide(card, decisions[card.getAttribute('data-i')] === value ? null : value);
  });

  function visible() { return cards.filter(function (c) { return !c.hidden; }); }

  function move(step) {
    var list = visible();
    if (list.length === 0) { return; }
    var at = list.indexOf(document.activeElement.closest ? document.activeElement.closest('article.m') : null);
    var next = list[Math.max(0, Math.min(list.length - 1, at < 0 ? 0 : at + step))];
    next.focus();
    next.scrollIntoView({ block: 'nearest' });
  }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName)) { return; }
    var card = e.target.closest ? e.target.closest('article.m') : null;
    if (e.key === 'j') { move(1); } else if (e.key === 'k') { move(-1); }
    else if (card && e.key === 'm') { decide(card, 'mine'); }
    else if (card && e.key === 'n') { decide(card, 'not-mine'); }
    else if (card && e.key === 'u') { decide(card, null); }
    else { return; }
    e.preventDefault();
  });

  var fDataset = document.getElementById('f-dataset'), fKind = document.getElementById('f-kind');
  var fScore = document.getElementById('f-score'), fSort = document.getElementById('f-sort');

  function score(c) { var s = c.getAttribute('data-score'); return s ? Number(s) : -Infinity; }

  function apply() {
    var dataset = fDataset.value, kind = fKind.value, min = fScore.value === '' ? null : Number(fScore.value);
    cards.forEach(function (c) {
      c.hidden = (dataset && c.getAttribute('data-dataset') !== dataset) || (kind && c.getAttribute('data-kind') !== kind) || (min !== null && !(score(c) >= min));
    });
    var sort = fSort.value;
    Array.prototype.forEach.call(document.querySelectorAll('section.group'), function (g) {
      var box = g.querySelector('.matches');
      var list = Array.prototype.slice.call(box.children);
      list.sort(function (a, b) {
        if (sort === 'score-desc') { return score(b) - score(a) || a.getAttribute('data-i') - b.getAttribute('data-i'); }
        if (sort === 'score-asc') { return score(a) - score(b) || a.getAttribute('data-i') - b.getAttribute('data-i'); }
        if (sort === 'dataset') { return a.getAttribute('data-dataset').localeCompare(b.getAttribute('data-dataset')) || a.getAttribute('data-i') - b.getAttribute('data-i'); }
        return a.getAttribute('data-i') - b.getAttribute('data-i');
      });
      list.forEach(function (c) { box.appendChild(c); });
      var shown = list.filter(function (c) { return !c.hidden; }).length;
      g.querySelector('.shown').textContent = shown.toLocaleString('en');
      g.hidden = shown === 0;
    });
  }

  [fDataset, fKind, fScore, fSort].forEach(function (el) { el.addEventListener('change', apply); });
  fScore.addEventListener('input', apply);
  updateTally();
}());
