// The review script of an OptOut match report. Each group's matches are a JSON data block the writer
// made; cards are built from it (textContent and attributes only, never HTML from the data) when they
// come near the screen, so a report of 10,000 matches builds a few screens of elements at load. Counts,
// filters, sorting, review and export work over the data, whether a card is built or not. Before
// printing every card is built, so the printout is the whole evidence. Decisions live in memory and
// leave only as a JSON or CSV download through a Blob: nothing is sent anywhere.
(function () {
  'use strict';
  var FIELDS = ['query', 'querySha256', 'dataset', 'key', 'url', 'caption', 'width', 'height', 'matchKind', 'similarity', 'hashDistance', 'sha256'];
  var CHUNK = 48;          // cards built at a time in a group
  var CARD_HEIGHT = 310;   // a guess for the space of cards not built yet (the scroll bar's length)
  var SVG = 'http://www.w3.org/2000/svg';
  var NO_IMAGE = 'No local image: the training set lists this URL only.';

  var groups = Array.prototype.map.call(document.querySelectorAll('section.group'), function (el) {
    return { el: el, box: el.querySelector('.matches'), more: el.querySelector('.more'), shown: el.querySelector('.shown'),
      count: Number(el.getAttribute('data-count')), data: null, order: null, built: 0 };
  });
  var total = groups.reduce(function (sum, g) { return sum + g.count; }, 0);
  var decisions = {};      // id -> 'mine' | 'not-mine'
  var matches = {};        // id -> { g, m }, for the groups read so far
  var firstCard = false;
  var tally = document.getElementById('tally');
  var fDataset = document.getElementById('f-dataset'), fKind = document.getElementById('f-kind');
  var fScore = document.getElementById('f-score'), fSort = document.getElementById('f-sort');

  // ---- data ----

  function read(g) {
    if (g.data) { return g.data; }
    g.data = JSON.parse(g.el.querySelector('script.group-data').textContent);
    g.data.matches.forEach(function (m) { matches[m.id] = { g: g, m: m }; });
    g.order = arrange(g.data.matches);
    return g.data;
  }

  function score(m) { return typeof m.similarity === 'number' ? m.similarity : -Infinity; }

  function arrange(list) {
    var dataset = fDataset.value, kind = fKind.value, min = fScore.value === '' ? null : Number(fScore.value), sort = fSort.value;
    var kept = list.filter(function (m) {
      return (!dataset || m.dataset === dataset) && (!kind || m.matchKind === kind) && (min === null || score(m) >= min);
    });
    kept.sort(function (a, b) {
      if (sort === 'score-desc') { return score(b) - score(a) || a.id - b.id; }
      if (sort === 'score-asc') { return score(a) - score(b) || a.id - b.id; }
      if (sort === 'dataset') { return a.dataset.localeCompare(b.dataset) || a.id - b.id; }
      return a.id - b.id;
    });
    return kept;
  }

  // ---- cards ----

  function node(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function frame(pic, region, label) {
    if (!pic || pic.problem !== undefined || typeof pic.src !== 'string') {
      return node('div', 'noimg', 'Picture not shown: ' + (pic && pic.problem ? pic.problem : 'unavailable'));
    }
    var box = node('div', 'frame');
    var img = node('img');
    // Only the writer's own thumbnails: a JPEG data URI or a file in the report's folder.
    if (/^data:image\/jpeg;base64,/.test(pic.src) || !/^[a-z][a-z0-9+.-]*:/i.test(pic.src)) { img.src = pic.src; }
    if (!/^data:/.test(pic.src)) { img.loading = 'lazy'; }
    img.decoding = 'async';
    img.width = pic.w; img.height = pic.h; img.alt = label;
    box.appendChild(img);
    if (region) {
      // The matched region in the picture's own pixels, stretched over the thumbnail.
      var svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('class', 'region');
      svg.setAttribute('viewBox', '0 0 ' + pic.ow + ' ' + pic.oh);
      svg.setAttribute('preserveAspectRatio', 'none');
      svg.setAttribute('aria-label', 'matched region ' + region[2] + 'x' + region[3] + '+' + region[0] + '+' + region[1]);
      var rect = document.createElementNS(SVG, 'rect');
      ['x', 'y', 'width', 'height'].forEach(function (a, i) { rect.setAttribute(a, String(region[i])); });
      rect.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(rect);
      box.appendChild(svg);
    }
    return box;
  }

  function figure(content, label) {
    var f = node('figure', 't');
    f.appendChild(content);
    f.appendChild(node('figcaption', null, label));
    return f;
  }

  function card(g, m) {
    var v = m.v;
    var a = node('article', 'm' + (v && v.ok ? ' verified' : ''));
    a.id = 'm' + m.id;
    a.tabIndex = -1;
    a.setAttribute('data-i', String(m.id));
    a.setAttribute('data-dataset', m.dataset);
    a.setAttribute('data-kind', m.matchKind);
    if (m.key !== undefined) { a.setAttribute('data-key', m.key); }
    var pics = node('div', 'pics');
    var work = g.data.work;
    if (v && work && work.src) {
      pics.appendChild(figure(frame(work, v.q, 'yours'), 'yours'));
      pics.appendChild(figure(m.pic ? frame(m.pic, v.c, 'in the training set') : node('div', 'noimg', NO_IMAGE), 'in the training set'));
    } else if (!m.pic) {
      pics.appendChild(node('div', 'noimg', NO_IMAGE));
    } else {
      pics.appendChild(frame(m.pic, null, 'in the training set'));
    }
    a.appendChild(pics);

    var facts = node('p', 'facts');
    facts.appendChild(node('b', null, m.matchKind));
    facts.appendChild(document.createTextNode(' · similarity ' + (typeof m.similarity === 'number' ? String(Number(m.similarity.toFixed(4))) : '—') +
      ' · hash distance ' + (m.hashDistance !== undefined ? m.hashDistance : '—')));
    facts.appendChild(node('br'));
    facts.appendChild(document.createTextNode(m.dataset + ' · key ' + (m.key !== undefined ? m.key : '—')));
    facts.appendChild(node('br'));
    if (typeof m.href === 'string' && /^https?:\/\//i.test(m.href)) {
      var link = node('a', null, m.url);
      link.href = m.href;
      link.rel = 'noopener noreferrer nofollow';
      link.target = '_blank';
      facts.appendChild(link);
    } else {
      facts.appendChild(m.url === undefined ? document.createTextNode('no URL') : node('span', 'unlinked', m.url));
    }
    facts.appendChild(node('br'));
    facts.appendChild(node('span', 'caption', m.caption !== undefined ? m.caption : '(no caption)'));
    facts.appendChild(node('br'));
    facts.appendChild(document.createTextNode((m.width !== undefined && m.height !== undefined ? m.width + ' × ' + m.height : 'size unknown') +
      (m.sha256 !== undefined ? ' · SHA-256 ' + m.sha256 : '')));
    if (!firstCard) {
      // The Element Timing API reports when this first card's text was painted (bench/ReportBench reads it).
      facts.setAttribute('elementtiming', 'first-card');
      firstCard = true;
    }
    a.appendChild(facts);
    if (v && v.text) { a.appendChild(node('p', 'evidence', v.text)); }

    var review = node('div', 'review');
    review.setAttribute('role', 'group');
    review.setAttribute('aria-label', 'Is this your work?');
    var mine = node('button', 'mine', 'Mine'), not = node('button', 'not', 'Not mine');
    mine.type = 'button'; not.type = 'button';
    review.appendChild(mine);
    review.appendChild(not);
    a.appendChild(review);
    show(a, decisions[m.id]);
    return a;
  }

  // ---- building cards as they come near the screen ----

  function columns() { return window.innerWidth < 600 ? 1 : Math.max(1, Math.floor((Math.min(window.innerWidth, 1200) - 56) / 352)); }

  function placeholder(g) {
    var left = (g.order ? g.order.length : g.count) - g.built;
    g.more.style.height = left > 0 ? Math.ceil(left / columns()) * CARD_HEIGHT + 'px' : '0';
  }

  var watcher = 'IntersectionObserver' in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) { build(e.target.group, e.target.group.built + CHUNK); } });
  }, { rootMargin: '1200px 0px' }) : null;

  function build(g, upTo) {
    read(g);
    var n = Math.min(upTo, g.order.length);
    if (n > g.built) {
      var cards = document.createDocumentFragment();
      for (var i = g.built; i < n; i++) { cards.appendChild(card(g, g.order[i])); }
      g.box.appendChild(cards);
      g.built = n;
    }
    placeholder(g);
    if (watcher) {
      // Watched again, so a placeholder still near the screen asks for the next chunk.
      watcher.unobserve(g.more);
      if (g.built < g.order.length) { watcher.observe(g.more); }
    } else {
      build(g, Infinity);
    }
  }

  function buildAll() { groups.forEach(function (g) { if (!g.el.hidden) { build(g, Infinity); } }); }

  // ---- review ----

  function show(a, value) {
    a.classList.toggle('is-mine', value === 'mine');
    a.classList.toggle('is-not', value === 'not-mine');
    a.querySelector('button.mine').setAttribute('aria-pressed', String(value === 'mine'));
    a.querySelector('button.not').setAttribute('aria-pressed', String(value === 'not-mine'));
  }

  function decide(id, value) {
    if (value) { decisions[id] = value; } else { delete decisions[id]; }
    var a = document.getElementById('m' + id);
    if (a) { show(a, value); }
    updateTally();
  }

  function updateTally() {
    var mine = 0, not = 0;
    for (var id in decisions) { if (decisions[id] === 'mine') { mine++; } else { not++; } }
    tally.textContent = mine + ' mine, ' + not + ' not mine, ' + (total - mine - not) + ' not reviewed';
  }

  function record(id) {
    var found = matches[id], m = found.m;
    var r = { id: m.id, decision: decisions[id] };
    FIELDS.forEach(function (f) {
      var v = f === 'query' || f === 'querySha256' ? found.g.data[f] : m[f];
      r[f] = v === undefined ? null : v;
    });
    return r;
  }

  function decided() {
    return Object.keys(decisions).map(Number).sort(function (a, b) { return a - b; }).map(record);
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

  function cardId(e) {
    var a = e && e.closest ? e.closest('article.m') : null;
    return a ? Number(a.getAttribute('data-i')) : null;
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest('.review button');
    if (!button) { return; }
    var id = cardId(button);
    var value = button.classList.contains('mine') ? 'mine' : 'not-mine';
    decide(id, decisions[id] === value ? null : value);
  });

  // ---- keys: j/k walk the matches shown (in the data, building cards as needed) ----

  function step(from, by) {
    var gi = 0, next = 0;
    if (from !== null && matches[from]) {
      gi = groups.indexOf(matches[from].g);
      next = groups[gi].order.indexOf(matches[from].m) + by;
    }
    while (gi >= 0 && gi < groups.length) {
      var g = groups[gi];
      read(g);
      if (next < 0) { next = g.order.length - 1; }
      if (next < g.order.length && next >= 0) { build(g, next + 1); return g.order[next].id; }
      gi += by;
      next = by > 0 ? 0 : -1;
    }
    return from;
  }

  function move(by) {
    var id = step(cardId(document.activeElement), by);
    var a = id === null ? null : document.getElementById('m' + id);
    if (!a) { return; }
    a.focus();
    a.scrollIntoView({ block: 'nearest' });
  }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName)) { return; }
    var id = cardId(e.target);
    if (e.key === 'j') { move(1); } else if (e.key === 'k') { move(-1); }
    else if (id !== null && e.key === 'm') { decide(id, 'mine'); }
    else if (id !== null && e.key === 'n') { decide(id, 'not-mine'); }
    else if (id !== null && e.key === 'u') { decide(id, null); }
    else { return; }
    e.preventDefault();
  });

  // ---- filters and sorting: over the data; the cards are built again in the new order ----

  function apply() {
    groups.forEach(function (g) {
      read(g);
      g.order = arrange(g.data.matches);
      g.box.textContent = '';
      g.built = 0;
      g.shown.textContent = g.order.length.toLocaleString('en');
      g.el.hidden = g.order.length === 0;
      placeholder(g);
      if (watcher) { watcher.unobserve(g.more); watcher.observe(g.more); }
    });
  }

  [fDataset, fKind, fScore, fSort].forEach(function (el) { el.addEventListener('change', apply); });
  fScore.addEventListener('input', apply);

  // Printing (the browser's print, or headless Chromium's PDF) shows every card of the current view.
  window.addEventListener('beforeprint', buildAll);

  groups.forEach(function (g) {
    g.more.group = g;
    placeholder(g);
  });
  // The first screen is built now, before the page is first painted; the rest as it is scrolled to.
  if (groups.length > 0) { build(groups[0], CHUNK); }
  groups.forEach(function (g) { if (watcher && g.built === 0) { watcher.observe(g.more); } });
  updateTally();
}());
