// Screenshots of the family's table pages at a phone's width, in both display modes, with
// JavaScript off (what a parent on a slow phone sees). Not run by CI: a tool to look with.
// Usage: PORTEE_URL=http://127.0.0.1:8080 node screenshots.mjs [out-dir] [width]
// (the demo running there; default out-dir /tmp/portee-shots, width 360).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import puppeteer from 'puppeteer';

const BASE = process.env.PORTEE_URL || 'http://127.0.0.1:8080';
const OUT = process.argv[2] || '/tmp/portee-shots';
const WIDTH = Number(process.argv[3] || 360);
const PASSWORD = 'Valognes2026';
fs.mkdirSync(OUT, { recursive: true });

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  userDataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'portee-shots-')),
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

for (const mode of ['standard', 'accessible']) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setViewport({ width: WIDTH, height: 800 });
  await page.goto(BASE + '/connexion', { waitUntil: 'load' });
  if (await page.$('select[name="site"]')) await page.select('select[name="site"]', 'valognes');
  await page.type('input[name="identifiant"]', 'abarre1');
  await page.type('input[name="mot_de_passe"]', PASSWORD);
  await submit(page, 'form[action="/connexion"] button[type="submit"]');
  // The mode is kept on the account: switch only if it is not the one wanted.
  const switchLabel = await page.$eval('form[action="/affichage"] button', (b) => b.textContent);
  if (switchLabel.includes('Activer') === (mode === 'accessible')) {
    await submit(page, 'form[action="/affichage"] button[type="submit"]');
  }
  // Irina's pages (the demo's student with a history), found by following links.
  await page.goto(BASE + '/eleves', { waitUntil: 'load' });
  const student = await page.$$eval('main a[href^="/eleves/"]', (links) =>
    (links.find((a) => a.textContent.includes('Irina')) || links[0]).getAttribute('href'));
  const id = student.split('/')[2];
  await page.goto(`${BASE}/eleves/${id}/cours`, { waitUntil: 'load' });
  const record = await page.$eval('table a[href*="/cours/"]', (a) => a.getAttribute('href'));
  const pages = [
    ['facturation', '/facturation'],
    ['cours', `/eleves/${id}/cours`],
    ['evaluations', `${record}/evaluations`],
    ['historique', `/eleves/${id}/historique`],
    ['reinscription', `/eleves/${id}/reinscription`],
    ['emploi-du-temps', '/emploi-du-temps'],
  ];
  for (const [name, url] of pages) {
    const resp = await page.goto(BASE + url, { waitUntil: 'load' });
    if (!resp || resp.status() !== 200) { console.log(`${name}: ${resp && resp.status()}`); continue; }
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const boxes = await page.evaluate(() => [...document.querySelectorAll('.table-scroll')]
      .map((b) => b.scrollWidth - b.clientWidth).filter((d) => d > 1).length);
    const file = path.join(OUT, `${name}-${mode}-${WIDTH}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${file}: page overflow ${over}px, tables scrolling sideways ${boxes}`);
  }
  await context.close();
}
await browser.close();
