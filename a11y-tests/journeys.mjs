// Journeys with JavaScript disabled, and ARIA snapshots.
//
// Every flow of the product is walked as a parent whose browser runs no script: log in,
// ask for a lost password, edit the family record, re-enrol a child with an uploaded photo,
// open an invoice's PDF, change the password (and back), log out. Each step asserts what
// the user then sees.
//
// Then the accessibility tree of the main pages is compared with the snapshots committed in
// `snapshots/` (roles and names, dates and years normalised). A missing snapshot is written
// and reported; A11Y_UPDATE_SNAPSHOTS=1 rewrites them all after a deliberate change.
//
// Environment: PORTEE_URL, CHROMIUM (as crawl.mjs).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer';

const BASE = (process.env.PORTEE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'Valognes2026';
const SNAPSHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), 'snapshots');
const UPDATE = process.env.A11Y_UPDATE_SNAPSHOTS === '1';

const failures = [];
let steps = 0;

function check(cond, what) {
  steps += 1;
  if (cond) console.log(`ok   ${what}`);
  else { console.log(`FAIL ${what}`); failures.push(what); }
}

/** A small valid PDF (one empty page, a cross-reference table with true offsets): the
 * portal parses every PDF it is sent. */
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

async function text(page) {
  return page.$eval('main', (m) => m.innerText);
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function login(page) {
  await page.goto(BASE + '/connexion', { waitUntil: 'load' });
  if (await page.$('select[name="site"]')) await page.select('select[name="site"]', 'valognes');
  await page.type('input[name="identifiant"]', 'abarre1');
  await page.type('input[name="mot_de_passe"]', PASSWORD);
  await submit(page, 'form[action="/connexion"] button[type="submit"]');
}

async function withoutJavaScript(browser) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setJavaScriptEnabled(false);
  const scripts = await page.evaluate(() => 1).then(() => true, () => false);
  console.log(`(scripts of the page disabled; DevTools evaluation ${scripts ? 'still available to the test' : 'off'})`);

  // Lost password: the same answer whatever is typed.
  await page.goto(BASE + '/mot-de-passe-perdu', { waitUntil: 'load' });
  if (await page.$('select[name="site"]')) await page.select('select[name="site"]', 'valognes');
  await page.type('input[name="identifiant"]', 'abarre1');
  await page.type('input[name="email"]', 'jeremie.abarre@example.org');
  await submit(page, 'form[action="/mot-de-passe-perdu"] button[type="submit"]');
  check((await text(page)).includes('Si l\'identifiant et l\'adresse e-mail correspondent'), 'sans JavaScript : mot de passe perdu → confirmation');

  // Login.
  await login(page);
  check(page.url().endsWith('/accueil') && (await text(page)).includes('Bonjour'), 'sans JavaScript : connexion → Accueil');

  // Edit the family record.
  await page.goto(BASE + '/famille', { waitUntil: 'load' });
  await page.$eval('#champ-profession', (e) => { e.value = ''; });
  await page.type('#champ-profession', 'Apiculteur (parcours sans script)');
  await submit(page, 'form.record-form button[type="submit"]');
  check(page.url().includes('info=demande-enregistree'), 'sans JavaScript : modifier la fiche famille → demande enregistrée');

  // Re-enrol a child with an uploaded photo.
  await page.goto(BASE + '/eleves', { waitUntil: 'load' });
  const irina = await page.$$eval('main a', (as) => {
    const a = as.find((x) => x.textContent.includes('Irina'));
    return a ? a.getAttribute('href').split('/')[2] : null;
  });
  const base = `/eleves/${irina}/reinscription`;
  await page.goto(BASE + base, { waitUntil: 'load' });
  await page.click('#champ-choix');
  await submit(page, `form[action="${base}/choix"] button[type="submit"]`);
  check(page.url().includes('info=choix-enregistre'), 'sans JavaScript : réinscription → choix enregistré');
  const photo = path.join(os.tmpdir(), 'portee-photo.png');
  fs.writeFileSync(photo, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000'
    + '1f15c4890000000d49444154789c63f8ffff3f0005fe02fea73581840000000049454e44ae426082', 'hex'));
  await page.select('#champ-document', '950013');
  const input = await page.$('#champ-fichier');
  await input.uploadFile(photo);
  await submit(page, '#envoi button[type="submit"]');
  check((await text(page)).includes('Le document est importé.'), 'sans JavaScript : réinscription → photo importée');
  const big = path.join(os.tmpdir(), 'portee-trop-gros.pdf');
  fs.writeFileSync(big, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2_500_000, 32), Buffer.from('\n%%EOF\n')]));
  await page.select('#champ-document', '950014');
  await (await page.$('#champ-fichier')).uploadFile(big);
  await submit(page, '#envoi button[type="submit"]');
  check((await text(page)).includes('Le fichier fait 2,4 Mo ; la taille maximale est 2 Mo.'), 'sans JavaScript : réinscription → fichier trop gros refusé avec sa taille');
  const certificate = path.join(os.tmpdir(), 'portee-certificat.pdf');
  fs.writeFileSync(certificate, minimalPdf());
  await page.select('#champ-document', '950014');
  await (await page.$('#champ-fichier')).uploadFile(certificate);
  await submit(page, '#envoi button[type="submit"]');
  check((await text(page)).includes('Le document est importé.') && (await text(page)).includes('portee-certificat.pdf'),
    'sans JavaScript : réinscription → certificat PDF importé');
  await submit(page, `form[action="${base}/valider"] button[type="submit"]`);
  check((await text(page)).includes('Réinscription en attente de validation'), 'sans JavaScript : réinscription → demande validée, en attente');

  // Open an invoice's PDF (with the page's session).
  await page.goto(BASE + '/facturation/cotisations', { waitUntil: 'load' });
  const pdf = await page.$$eval('a[type="application/pdf"]', (as) => as.map((a) => a.getAttribute('href'))[0]);
  const cookie = (await page.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const resp = await fetch(BASE + pdf, { headers: { cookie } });
  const bytes = Buffer.from(await resp.arrayBuffer());
  check(resp.status === 200 && resp.headers.get('content-type') === 'application/pdf' && bytes.subarray(0, 5).toString() === '%PDF-',
    'sans JavaScript : facturation → duplicata PDF ouvert');

  // Change the password, then back.
  for (const [from, to] of [[PASSWORD, 'Valognes2027'], ['Valognes2027', PASSWORD]]) {
    await page.goto(BASE + '/mot-de-passe', { waitUntil: 'load' });
    const fields = await page.$$eval('main input[type="password"]', (is) => is.map((i) => i.name));
    await page.type(`input[name="${fields[0]}"]`, from);
    await page.type(`input[name="${fields[1]}"]`, to);
    await page.type(`input[name="${fields[2]}"]`, to);
    await submit(page, 'main form button[type="submit"]');
    check((await text(page)).includes('Votre nouveau mot de passe est enregistré.'), `sans JavaScript : mot de passe changé (${to === PASSWORD ? 'et rétabli' : 'nouveau'})`);
  }

  // Log out.
  await submit(page, 'form[action="/deconnexion"] button');
  check(page.url().includes('/connexion?info=deconnexion'), 'sans JavaScript : déconnexion');
  await context.close();
}

/** The accessibility tree as stable text: role, name, level, state; addresses, dates and years masked. */
function flatten(node, depth = 0, out = []) {
  if (!node) return out;
  const bits = [node.role];
  if (node.name) bits.push(JSON.stringify(node.name));
  if (node.level) bits.push(`level=${node.level}`);
  for (const k of ['checked', 'pressed', 'expanded', 'disabled', 'required', 'invalid']) {
    if (node[k] !== undefined && node[k] !== false) bits.push(`${k}=${node[k]}`);
  }
  out.push('  '.repeat(depth) + bits.join(' ').replace(/https?:\/\/[^\s)"]+/g, 'URL').replace(/\d{2}\/\d{2}\/\d{4}/g, 'jj/mm/aaaa').replace(/\b(19|20)\d{2}\b/g, 'AAAA'));
  for (const c of node.children || []) flatten(c, depth + 1, out);
  return out;
}

async function snapshots(browser) {
  fs.mkdirSync(SNAPSHOTS, { recursive: true });
  const anon = await browser.createBrowserContext();
  const family = await browser.createBrowserContext();
  const familyPage = await family.newPage();
  await login(familyPage);
  const pages = [
    [anon, 'connexion', '/connexion'],
    [anon, 'mot-de-passe-perdu', '/mot-de-passe-perdu'],
    [anon, 'accessibilite', '/accessibilite'],
    [anon, 'declaration', '/accessibilite/declaration'],
    [family, 'accueil', '/accueil'],
    [family, 'eleves', '/eleves'],
    [family, 'emploi-du-temps', '/emploi-du-temps'],
  ];
  for (const [context, name, url] of pages) {
    const page = context === family ? familyPage : await context.newPage();
    await page.goto(BASE + url, { waitUntil: 'load' });
    const main = await page.$('main');
    const tree = flatten(await page.accessibility.snapshot({ root: main, interestingOnly: true })).join('\n') + '\n';
    const file = path.join(SNAPSHOTS, `${name}.txt`);
    if (UPDATE || !fs.existsSync(file)) {
      fs.writeFileSync(file, tree);
      console.log(`new  snapshot ${name} written (${tree.split('\n').length - 1} lines): commit it`);
      if (!UPDATE) failures.push(`snapshot ${name} was missing`);
      continue;
    }
    const expected = fs.readFileSync(file, 'utf8');
    if (expected === tree) {
      check(true, `arbre d'accessibilité de ${url} identique à snapshots/${name}.txt`);
    } else {
      const a = expected.split('\n');
      const b = tree.split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      check(false, `arbre d'accessibilité de ${url} différent de snapshots/${name}.txt, ligne ${i + 1} :\n   attendu : ${a[i]}\n   obtenu  : ${b[i]}`);
    }
  }
  await anon.close();
  await family.close();
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'portee-journeys-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await snapshots(browser);
    await withoutJavaScript(browser);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`\njourneys and snapshots: ${steps} checks, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
