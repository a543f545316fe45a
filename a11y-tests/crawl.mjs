// Accessibility audit of the whole portal.
//
// Crawls every page reachable by links from /connexion, anonymous and logged in, in both
// display modes (standard and accessible), submits every form that has fields empty to
// audit its error state, follows a real password-reset mail to audit that page too, and
// runs pa11y with both runners (HTML_CodeSniffer and axe, WCAG 2 AA) on each. Any error
// fails the audit. New pages are found by the crawl: there is no list to keep up to date.
//
// Environment: PORTEE_URL (default http://127.0.0.1:8080), CHROMIUM (default
// /usr/bin/chromium), PORTEE_MAIL_DIR (the demo's mail folder; the reset page is
// skipped when unset), A11Y_REPORT (a JSON file to write the full results to),
// A11Y_PDF_DIR (where to save every PDF the crawl links to, for poppler's checks in run.sh).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import pa11y from 'pa11y';
import puppeteer from 'puppeteer';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar');
const HTML_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'portee-html-'));
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const BASE = (process.env.PORTEE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MAIL_DIR = process.env.PORTEE_MAIL_DIR || '';
const IDENTIFIER = 'abarre1';
const PASSWORD = 'Valognes2026';
const MAX_PAGES = 300;
const PDF_DIR = process.env.A11Y_PDF_DIR || '';
const pdfsSaved = new Set();

const PA11Y = {
  runners: ['htmlcs', 'axe'],
  standard: 'WCAG2AA',
  timeout: 60000,
  includeWarnings: false,
  includeNotices: false,
};

const results = [];

function log(...args) {
  console.log(...args);
}

/** Same-origin page links of the current page, without fragments or assets. */
async function pageLinks(page) {
  const links = await page.$$eval('a[href]', (as) => as.map((a) => [a.href, a.getAttribute('type') || '', a.hasAttribute('download')]));
  const out = new Set();
  for (const [href, type, download] of links) {
    let u;
    try { u = new URL(href); } catch { continue; }
    if (u.origin !== new URL(BASE).origin) continue;
    if (u.pathname.startsWith('/static/')) continue;
    // A file someone sent (an attachment, a document, a notice's PDF) is served back as a
    // download: neither a page nor one of the portal's own PDFs.
    if (download) continue;
    // PDFs are not pages: they are saved and checked with poppler by run.sh. Other files
    // (a link with a type that is not HTML, e.g. an uploaded photo) are not pages either.
    if (u.pathname.endsWith('.pdf') || type === 'application/pdf') {
      await savePdf(page, u.pathname);
      continue;
    }
    if (type && type !== 'text/html') continue;
    u.hash = '';
    out.add(u.pathname + u.search);
  }
  return [...out];
}

/** Downloads a PDF with the page's session into PDF_DIR (once per path). */
async function savePdf(page, pathname) {
  if (!PDF_DIR || pdfsSaved.has(pathname)) return;
  pdfsSaved.add(pathname);
  const b64 = await page.evaluate(async (p) => {
    const r = await fetch(p, { credentials: 'same-origin' });
    if (!r.ok || r.headers.get('content-type') !== 'application/pdf') return null;
    const bytes = new Uint8Array(await r.arrayBuffer());
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin);
  }, pathname);
  if (!b64) throw new Error(`${pathname} did not answer a PDF`);
  fs.mkdirSync(PDF_DIR, { recursive: true });
  fs.writeFileSync(path.join(PDF_DIR, pathname.replace(/[^A-Za-z0-9.]+/g, '_')), Buffer.from(b64, 'base64'));
}

/** Starts an online payment of the first payable invoice: audits the demo's PayFiP
 * stand-in, abandons the payment (the invoice stays due), audits the outcome page. */
async function auditPayment(browser, page, label) {
  await page.goto(BASE + '/facturation/cotisations', { waitUntil: 'load' });
  const doc = await page.$$eval('a', (as) => {
    const a = as.find((x) => x.textContent.startsWith('Payer en ligne'));
    return a ? a.getAttribute('href') : null;
  });
  if (!doc) throw new Error('no invoice to pay in the demo');
  await page.goto(BASE + doc, { waitUntil: 'load' });
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('#paiement form button[type="submit"]'),
  ]);
  if (!page.url().includes('/payfip-demo/')) throw new Error(`payment did not reach PayFiP: ${page.url()}`);
  await audit(browser, page, label, '/payfip-demo/paiementws.web', true);
  const buttons = await page.$$('ul.choices button');
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    buttons[buttons.length - 1].click(),
  ]);
  if (!page.url().includes('/facturation/paiements/')) throw new Error(`no outcome page: ${page.url()}`);
  await audit(browser, page, label, new URL(page.url()).pathname, false);
  return 2;
}

/** axe-core with the WCAG 2.0, 2.1 and 2.2 A/AA tags, on the page as it is. */
async function axe22(page) {
  await page.evaluate(AXE_SOURCE); // through the DevTools protocol: the page's CSP does not apply
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  }, AXE_TAGS);
}

/** Tabs through the page: the skip link first, every stop visible with a focus indicator
 * (computed outline of at least 2 px or a box shadow), and the end of the page reached. */
async function keyboard(page) {
  const problems = [];
  // Start from the top of the page, even where the page moved focus (an error summary):
  // focus a temporary element before everything, then remove it.
  await page.evaluate(() => {
    const start = document.createElement('span');
    start.tabIndex = -1;
    document.body.prepend(start);
    start.focus();
    start.remove();
    window.scrollTo(0, 0);
  });
  const seen = [];
  let ended = false;
  for (let i = 0; i < 150; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return null;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
      const shadow = cs.boxShadow && cs.boxShadow !== 'none';
      return {
        id: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} « ${(el.textContent || el.value || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 30)} » @${Math.round(r.top + window.scrollY)},${Math.round(r.left)}`,
        visible: r.width > 0 && r.height > 0,
        indicator: outline || shadow,
        skip: el.classList.contains('skip-link'),
      };
    });
    if (!info) { ended = true; break; }
    if (seen.length === 0 && !info.skip) problems.push('le premier arrêt n\'est pas « Aller au contenu »');
    if (seen.includes(info.id)) { ended = true; break; }
    if (!info.visible) problems.push(`arrêt invisible : ${info.id}`);
    if (!info.indicator) problems.push(`pas d'indicateur de focus visible : ${info.id}`);
    // The first stops also by picture: focused and unfocused must look different.
    if (seen.length < SCREENSHOT_STOPS && info.visible && !(await focusShows(page))) {
      problems.push(`le focus ne change pas l'image : ${info.id}`);
    }
    seen.push(info.id);
  }
  if (!ended) problems.push('plus de 150 arrêts : fin de page non atteinte (piège ?)');
  return problems;
}

const SCREENSHOT_STOPS = 6;

/** Screenshots the focused element's surroundings, then the same without focus (focus
 * moved to a temporary element elsewhere), and tells whether they differ. */
async function focusShows(page) {
  const box = await page.evaluate(() => {
    const r = document.activeElement.getBoundingClientRect();
    const x = Math.max(0, r.left + window.scrollX - 8);
    const y = Math.max(0, r.top + window.scrollY - 8);
    const width = Math.min(r.width + 16, document.documentElement.scrollWidth - x, 1200);
    const height = Math.min(r.height + 16, document.documentElement.scrollHeight - y, 800);
    return { x, y, width, height };
  });
  if (!(box.width >= 1 && box.height >= 1)) return true; // nothing to picture
  try {
    const focused = await page.screenshot({ clip: box });
    await page.evaluate(() => {
      const parking = document.createElement('span');
      parking.tabIndex = -1;
      parking.style.position = 'fixed';
      parking.style.left = '-50px';
      document.body.appendChild(parking);
      window.__portee_back = document.activeElement;
      parking.focus({ preventScroll: true });
      window.__portee_parking = parking;
    });
    const unfocused = await page.screenshot({ clip: box });
    return Buffer.compare(focused, unfocused) !== 0;
  } catch (e) {
    log(`       (capture impossible : ${e.message.split('\n')[0]})`);
    return true;
  } finally {
    await page.evaluate(() => {
      // Back to the element, as the keyboard left it.
      if (window.__portee_parking) window.__portee_parking.remove();
      if (window.__portee_back) window.__portee_back.focus({ preventScroll: true, focusVisible: true });
      window.__portee_parking = null;
      window.__portee_back = null;
    });
  }
}

/** Reflow at 320 CSS px and at 640 (a 1280 px window at 200 %), then the WCAG text-spacing
 * override at 320 px: no horizontal page scrolling, no text clipped by a hidden overflow. */
async function reflow(page) {
  const problems = [];
  const original = page.viewport() || { width: 1280, height: 800 };
  for (const [width, what] of [[320, '320 px'], [640, 'zoom 200 %']]) {
    await page.setViewport({ width, height: 800 });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (over > 1) problems.push(`${what} : défilement horizontal de ${over} px`);
    if (width === 320) {
      // On a phone every row of a data table is read without scrolling sideways: no table's
      // own box scrolls either (the week's grid is replaced by lists there).
      const scrolling = await page.evaluate(() => [...document.querySelectorAll('.table-scroll')]
        .filter((b) => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
        .map((b) => `${b.getAttribute('data-caption') || '?'} (${b.scrollWidth - b.clientWidth} px)`));
      for (const t of scrolling) problems.push(`320 px : le tableau ${t} défile horizontalement`);
    }
  }
  await page.setViewport({ width: 320, height: 800 });
  const clipped = await page.evaluate(() => {
    const all = [...document.querySelectorAll('body *')];
    const saved = all.map((el) => el.getAttribute('style'));
    for (const el of all) {
      el.style.setProperty('line-height', '1.5', 'important');
      el.style.setProperty('letter-spacing', '0.12em', 'important');
      el.style.setProperty('word-spacing', '0.16em', 'important');
      if (el.tagName === 'P') el.style.setProperty('margin-bottom', '2em', 'important');
    }
    const out = [];
    const over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    if (over > 1) out.push(`défilement horizontal de ${over} px`);
    for (const el of all) {
      const cs = getComputedStyle(el);
      if (el.offsetParent === null || !el.textContent.trim()) continue;
      const hidden = [cs.overflow, cs.overflowX, cs.overflowY].includes('hidden') || cs.textOverflow === 'ellipsis';
      // Hidden on purpose, read by assistive technology only: the visually-hidden pattern
      // (a class, or a 1 px box clipped to nothing, as a data table's header row on a phone).
      const clippedAway = (e) => {
        for (let a = e; a && a !== document.body; a = a.parentElement) {
          if (a.classList.contains('visually-hidden') || getComputedStyle(a).clip === 'rect(0px, 0px, 0px, 0px)') return true;
        }
        return false;
      };
      if (hidden && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
          && !clippedAway(el)) {
        out.push(`texte coupé : ${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}`);
      }
    }
    all.forEach((el, i) => { if (saved[i] === null) el.removeAttribute('style'); else el.setAttribute('style', saved[i]); });
    return out;
  });
  for (const c of clipped) problems.push(`espacement du texte : ${c}`);
  await page.setViewport(original);
  return problems;
}

const shapesChecked = new Set();
let htmlFiles = 0;

/** Runs both pa11y runners, axe with the WCAG 2.2 tags, and (once per kind of page) the
 * keyboard and reflow checks on the page as it is now (or after loading `url`); keeps its
 * HTML for the Nu Html Checker. */
async function audit(browser, page, label, url, ignoreUrl) {
  const result = await pa11y(BASE + url, { ...PA11Y, browser, page, ignoreUrl });
  const errors = result.issues.filter((i) => i.type === 'error');
  const axe = await axe22(page);
  const shape = `${label}|${url.split('?')[0].replace(/\d+/g, ':id')}|${ignoreUrl ? 'post' : 'get'}`;
  let kb = null;
  let rf = null;
  if (!shapesChecked.has(shape)) {
    shapesChecked.add(shape);
    kb = await keyboard(page);
    rf = await reflow(page);
  }
  const file = path.join(HTML_DIR, `${String(++htmlFiles).padStart(4, '0')}.html`);
  fs.writeFileSync(file, await page.content());
  const entry = { label, url: url + (ignoreUrl ? ' (après envoi)' : ''), errors, axe, keyboard: kb, reflow: rf, file, vnu: [] };
  results.push(entry);
  const count = errors.length + axe.length + (kb ? kb.length : 0) + (rf ? rf.length : 0);
  const mark = count === 0 ? 'ok  ' : 'FAIL';
  log(`${mark} [${label}] ${entry.url}: ${count} error(s)`);
  for (const e of errors) {
    log(`       ${e.runner} ${e.code}\n         ${e.message}\n         at ${e.selector}`);
  }
  for (const a of axe) log(`       axe-2.2 ${a}`);
  for (const k of kb || []) log(`       clavier ${k}`);
  for (const r of rf || []) log(`       reflow ${r}`);
}

/** The Nu Html Checker on every page state kept, in one run. */
function validateHtml() {
  const out = spawnSync('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', HTML_DIR], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.error) throw new Error(`the Nu Html Checker did not run: ${out.error.message}`);
  const messages = JSON.parse(out.stderr || out.stdout || '{"messages":[]}').messages || [];
  const byFile = new Map(results.map((r) => [path.basename(r.file), r]));
  for (const m of messages) {
    if (m.type !== 'error') continue;
    const r = byFile.get(path.basename(decodeURIComponent(m.url || '')));
    if (r) r.vnu.push(`${m.message} (ligne ${m.lastLine})`);
    else log(`vnu: ${m.message}`);
  }
  for (const r of results) {
    for (const v of r.vnu) log(`FAIL [${r.label}] ${r.url}: vnu ${v}`);
  }
}

/** The summary: one line per page state, one column per tool (errors found). */
function summary() {
  const rows = results.map((r) => [r.label, r.url, r.errors.filter((e) => e.runner === 'htmlcs').length,
    r.errors.filter((e) => e.runner === 'axe').length, r.axe.length, r.vnu.length,
    r.keyboard === null ? '–' : r.keyboard.length, r.reflow === null ? '–' : r.reflow.length]);
  log('\n| état de page | HTML_CodeSniffer | axe (pa11y) | axe WCAG 2.2 | Nu Html Checker | clavier | reflow |');
  log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [label, url, ...n] of rows) log(`| [${label}] ${url} | ${n.join(' | ')} |`);
  const sum = (i) => rows.reduce((a, r) => a + (typeof r[i] === 'number' ? r[i] : 0), 0);
  const checked = (i) => rows.filter((r) => typeof r[i] === 'number').length;
  log(`| **total (${rows.length} états)** | ${sum(2)} | ${sum(3)} | ${sum(4)} | ${sum(5)} | ${sum(6)} (${checked(6)} pages) | ${sum(7)} (${checked(7)} pages) |`);
}

/** Submits form number `index` of `url` with its fields emptied; audits the answer. */
async function auditFormErrors(browser, page, label, url, index) {
  await page.goto(BASE + url, { waitUntil: 'load' });
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.evaluate((i) => {
      const form = document.forms[i];
      for (const el of form.elements) {
        if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
        if (el.tagName === 'SELECT') el.selectedIndex = 0;
        else if (el.type === 'checkbox' || el.type === 'radio') el.checked = false;
        else el.value = '';
      }
      HTMLFormElement.prototype.submit.call(form);
    }, index),
  ]);
  await audit(browser, page, label, `${url} [form ${index + 1}, empty]`, true);
}

/** Indexes of the forms of the current page that have fields a person fills in. */
async function formsWithFields(page) {
  return page.$$eval('form', (forms) =>
    forms
      .map((f, i) => [f, i])
      .filter(([f]) =>
        [...f.elements].some((el) => !['hidden', 'submit', 'button'].includes(el.type) && el.tagName !== 'BUTTON'))
      .map(([, i]) => i));
}

async function isAccessible(page) {
  return page.$eval('html', (h) => h.classList.contains('mode-accessible'));
}

/** Presses the footer's display-mode button until the page is in the wanted mode. */
async function setMode(page, accessible) {
  if ((await isAccessible(page)) === accessible) return;
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('form[action="/affichage"] button'),
  ]);
  if ((await isAccessible(page)) !== accessible) throw new Error('display mode did not switch');
}

/** The two kinds of account, each with its own login page and first page. */
const FAMILY = { label: 'family', login: '/connexion', identifier: IDENTIFIER, home: '/accueil' };
const STAFF = { label: 'staff', login: '/gestion/connexion', identifier: 'admin', home: '/gestion' };

async function login(page, who = FAMILY) {
  await page.goto(BASE + who.login, { waitUntil: 'load' });
  if (await page.$('select[name="site"]')) await page.select('select[name="site"]', 'valognes');
  await page.type('input[name="identifiant"]', who.identifier);
  await page.type('input[name="mot_de_passe"]', PASSWORD);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click(`form[action="${who.login}"] button[type="submit"]`),
  ]);
  if (!page.url().endsWith(who.home)) throw new Error(`login failed, landed on ${page.url()}`);
}

/** A real change on the family record, so pages show their pending-change markers. */
async function requestAChange(page) {
  await page.goto(BASE + '/famille', { waitUntil: 'load' });
  await page.$eval('#champ-profession', (e) => { e.value = 'Apiculteur et musicien'; });
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('form.record-form button[type="submit"]'),
  ]);
  if (!page.url().includes('info=demande-enregistree')) throw new Error(`change not saved: ${page.url()}`);
}

/** Breadth-first crawl from `start`, auditing each page and each form's error state. */
async function crawl(browser, page, label, start) {
  const seen = new Set([start]);
  const queue = [start];
  const formsDone = new Set();
  while (queue.length > 0 && seen.size <= MAX_PAGES) {
    const url = queue.shift();
    await audit(browser, page, label, url, false);
    for (const link of await pageLinks(page)) {
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
    const pathOnly = url.split('?')[0];
    for (const i of await formsWithFields(page)) {
      const key = `${pathOnly}#${i}`;
      if (formsDone.has(key)) continue;
      formsDone.add(key);
      await auditFormErrors(browser, page, label, url, i);
    }
  }
  return seen.size;
}

/** The newest reset link in the demo's mail folder (quoted-printable decoded). */
function newestResetLink(since, pattern = /https?:\/\/[^\s]+(\/reinitialisation\?jeton=[A-Za-z0-9_-]+)/) {
  const files = fs.readdirSync(MAIL_DIR)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => path.join(MAIL_DIR, f))
    .filter((f) => fs.statSync(f).mtimeMs >= since)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const m = text.match(pattern);
    if (m) return m[1];
  }
  return null;
}

/** Asks for a reset link as a family would, and audits the page the mail leads to. */
async function auditResetPage(browser, page, label) {
  const since = Date.now() - 1000;
  await page.goto(BASE + '/mot-de-passe-perdu', { waitUntil: 'load' });
  if (await page.$('select[name="site"]')) await page.select('select[name="site"]', 'valognes');
  await page.type('input[name="identifiant"]', IDENTIFIER);
  await page.type('input[name="email"]', 'jeremie.abarre@example.org');
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('form[action="/mot-de-passe-perdu"] button[type="submit"]'),
  ]);
  let link = null;
  for (let i = 0; i < 50 && !link; i++) {
    await new Promise((r) => setTimeout(r, 200));
    link = newestResetLink(since);
  }
  if (!link) throw new Error(`no reset mail appeared in ${MAIL_DIR}`);
  await audit(browser, page, label, '/mot-de-passe-perdu/envoye', true);
  await audit(browser, page, label, link, false);
  await auditFormErrors(browser, page, label, link, 0);
  // A link that does not work (forged) has its own page.
  await audit(browser, page, label, '/reinitialisation?jeton=invalide', false);
  return 4;
}

/** A PDF the upload checks accept (one empty page). */
function minimalPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let out = '%PDF-1.7\n';
  const offsets = objects.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return out;
}

async function clickAndWait(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

/** The public pre-enrolment, step by step, each step and each error state audited (steps 2
 * and 3 are reached by sending the step before, not by a link), then the acknowledgement, the
 * confirmation link of the mail, the follow-up form and the page its mail leads to. */
async function auditPreenrolment(browser, page, label) {
  const since = Date.now() - 1000;
  const year = new Date().getFullYear();
  // One address per display mode: the same child sent twice is the same request.
  const email = `camille.audit.${label.includes('accessible') ? 'a' : 's'}@example.org`;
  await page.goto(BASE + '/preinscription/valognes', { waitUntil: 'load' });
  await page.click('#champ-civilite');
  for (const [name, value] of [['nom', 'Audit'], ['prenom', 'Camille'], ['email', email],
    ['telephone', '0611223344'], ['adresse', '1 rue du Test'], ['code_postal', '50700'], ['ville', 'Valognes']]) {
    await page.type(`#champ-${name}`, value);
  }
  await clickAndWait(page, 'button[value="suivant"]');
  await audit(browser, page, label, '/preinscription/valognes [enfants]', true);
  await clickAndWait(page, 'button[value="suivant"]');
  await audit(browser, page, label, '/preinscription/valognes [enfants, erreurs]', true);
  await page.type('#champ-enfant0_nom', 'Audit');
  await page.type('#champ-enfant0_prenom', 'Sacha');
  await page.type('#champ-enfant0_naissance', `03/03/${year - 8}`);
  const wish = await page.$$eval('#champ-enfant0_voeu1 option', (os) => os.find((o) => o.textContent.startsWith('Violon')).value);
  await page.select('#champ-enfant0_voeu1', wish);
  await clickAndWait(page, 'button[value="suivant"]');
  await audit(browser, page, label, '/preinscription/valognes [documents et envoi]', true);
  await clickAndWait(page, 'button[value="envoyer"]');
  await audit(browser, page, label, '/preinscription/valognes [documents, erreurs]', true);
  const pdf = path.join(os.tmpdir(), 'portee-audit-domicile.pdf');
  fs.writeFileSync(pdf, minimalPdf());
  await (await page.$('#champ-document1')).uploadFile(pdf);
  await page.click('#champ-consentement');
  await new Promise((r) => setTimeout(r, 5200));
  await clickAndWait(page, 'button[value="envoyer"]');
  await audit(browser, page, label, '/preinscription/valognes [envoyée]', true);
  let confirm = null;
  for (let i = 0; i < 50 && !confirm; i++) {
    await new Promise((r) => setTimeout(r, 200));
    confirm = newestResetLink(since, /https?:\/\/[^\s]+(\/preinscription\/confirmation\?jeton=[A-Za-z0-9_-]+)/);
  }
  if (!confirm) throw new Error(`no pre-enrolment mail appeared in ${MAIL_DIR}`);
  await audit(browser, page, label, confirm, false);
  await audit(browser, page, label, '/preinscription/confirmation?jeton=inconnu', false);
  const reference = await page.goto(BASE + confirm, { waitUntil: 'load' })
    .then(() => page.$eval('main li strong', (s) => s.textContent));
  await page.goto(BASE + '/preinscription/suivi', { waitUntil: 'load' });
  await page.type('#champ-reference', reference);
  await page.type('#champ-email', email);
  const asked = Date.now() - 1000;
  await clickAndWait(page, 'form[action="/preinscription/suivi"] button[type="submit"]');
  await audit(browser, page, label, '/preinscription/suivi (envoyé)', true);
  let follow = null;
  for (let i = 0; i < 50 && !follow; i++) {
    await new Promise((r) => setTimeout(r, 200));
    follow = newestResetLink(asked, /https?:\/\/[^\s]+(\/preinscription\/suivi\/[A-Za-z0-9_-]+)/);
  }
  if (!follow) throw new Error('no follow-up mail appeared');
  await audit(browser, page, label, follow, false);
  return 9;
}

/** Proves every check is live: a page with known faults must be reported by each. */
async function canary(browser) {
  const page = await browser.newPage();
  const bad = '<!DOCTYPE html><html><head><title>x</title></head><body>'
    + '<a href="#x" style="outline: none">lien sans focus visible</a>'
    + '<img src="x.png"><input type="text"><span><div style="width: 900px">trop large</div></span>'
    + '<div class="table-scroll" data-caption="canari" style="overflow-x: auto"><table><tr><td><div style="width: 700px">large</div></td></tr></table></div>'
    + '</body></html>';
  await page.setContent(bad);
  const result = await pa11y(BASE + '/canary', { ...PA11Y, browser, page, ignoreUrl: true });
  const runners = new Set(result.issues.filter((i) => i.type === 'error').map((i) => i.runner));
  const axe = await axe22(page);
  const kb = await keyboard(page);
  const rf = await reflow(page);
  await page.close();
  const file = path.join(HTML_DIR, 'canary.html');
  fs.writeFileSync(file, bad);
  const vnu = spawnSync('java', ['-jar', VNU_JAR, '--errors-only', file], { encoding: 'utf8' });
  fs.rmSync(file);
  const missed = [];
  if (!runners.has('htmlcs')) missed.push('HTML_CodeSniffer');
  if (!runners.has('axe')) missed.push('axe (pa11y)');
  if (axe.length === 0) missed.push('axe WCAG 2.2');
  if (kb.length === 0) missed.push('clavier');
  if (rf.length === 0) missed.push('reflow');
  if (!rf.some((r) => r.includes('le tableau canari'))) missed.push('reflow (tableau défilant)');
  if (vnu.status === 0) missed.push('Nu Html Checker');
  if (missed.length > 0) throw new Error(`these checks missed known faults: ${missed.join(', ')}`);
  log('canary: every check (HTML_CodeSniffer, axe, axe WCAG 2.2, Nu Html Checker, keyboard, reflow) reports the faults of a known-bad page');
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'portee-a11y-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let pages = 0;
  try {
    await canary(browser);
    for (const accessible of [false, true]) {
      const mode = accessible ? 'accessible' : 'standard';

      const anon = await browser.createBrowserContext();
      const anonPage = await anon.newPage();
      await anonPage.goto(BASE + '/connexion', { waitUntil: 'load' });
      await setMode(anonPage, accessible);
      pages += await crawl(browser, anonPage, `anonymous, ${mode}`, '/connexion');
      await audit(browser, anonPage, `anonymous, ${mode}`, '/page-inexistante', false);
      if (MAIL_DIR) pages += await auditResetPage(browser, anonPage, `anonymous, ${mode}`);
      if (MAIL_DIR) pages += await auditPreenrolment(browser, anonPage, `anonymous, ${mode}`);
      await anon.close();

      const user = await browser.createBrowserContext();
      const userPage = await user.newPage();
      await login(userPage);
      await setMode(userPage, accessible);
      if (!accessible) await requestAChange(userPage);
      pages += await crawl(browser, userPage, `logged in, ${mode}`, '/accueil');
      pages += await auditPayment(browser, userPage, `logged in, ${mode}`);
      await Promise.all([
        userPage.waitForNavigation({ waitUntil: 'load' }),
        userPage.click('form[action="/deconnexion"] button'),
      ]);
      await audit(browser, userPage, `logged out, ${mode}`, '/connexion?info=deconnexion', true);
      // Leave the demo account in the standard mode, as it was.
      await login(userPage);
      await setMode(userPage, false);
      await user.close();

      const staff = await browser.createBrowserContext();
      const staffPage = await staff.newPage();
      await login(staffPage, STAFF);
      await setMode(staffPage, accessible);
      pages += await crawl(browser, staffPage, `staff, ${mode}`, '/gestion');
      await setMode(staffPage, false);
      await staff.close();
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  validateHtml();
  summary();
  fs.rmSync(HTML_DIR, { recursive: true, force: true });
  if (process.env.A11Y_REPORT) {
    fs.writeFileSync(process.env.A11Y_REPORT, JSON.stringify(results, null, 2));
  }
  const failed = results.filter((r) => r.errors.length + r.axe.length + r.vnu.length
    + (r.keyboard || []).length + (r.reflow || []).length > 0).length;
  const passed = results.length - failed;
  log(`\nAudited ${results.length} page states (${pages} URLs crawled): pa11y (HTML_CodeSniffer, axe; WCAG2AA), axe-core (WCAG 2.2 A/AA tags), the Nu Html Checker, and keyboard and reflow checks on ${shapesChecked.size} kinds of page.`);
  log(`a11y: ${passed} passed, ${failed} failed`);
  if (PDF_DIR) log(`${pdfsSaved.size} PDF(s) saved to ${PDF_DIR} for poppler's checks.`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
