import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/**
 * The one way the tests drive a real browser (test/ui, and test/compose under `npm run test:compose`):
 * Debian's Chromium, headless, through playwright-core (no browser download). CI installs `chromium`
 * when missing; CHROMIUM_PATH points elsewhere.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** No sandbox (containers, CI), and nothing that talks to the network on its own or competes for the CPU. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Collects the page's console errors and uncaught exceptions, as text with the URL they came from,
 * into the returned array (it grows while the page lives). `expected` lets a test keep an error it
 * provoked on purpose (the browser reports every 4xx/5xx answer as a console error).
 */
export function consoleErrorsOf(page: Page, expected: (message: ConsoleMessage) => boolean = () => false): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' && !expected(message)) errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return errors;
}

const HEALTHY = 'svg.topology [data-service][data-healthy="true"]';

/** The services /ui/system draws as healthy now. */
export function healthyServices(page: Page): Promise<string[]> {
  return page.locator(HEALTHY).evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-service') ?? ''));
}

/** Opens /ui/system and waits until it draws all seven services healthy (its live stream, no reload). */
export async function openSystemPage(page: Page, base: string, timeoutMs = 20_000): Promise<void> {
  await page.goto(`${base}/ui/system`);
  // The seventh healthy node: there are seven (a string for waitForFunction would break the page's CSP).
  await page.locator(HEALTHY).nth(6).waitFor({ timeout: timeoutMs });
}
