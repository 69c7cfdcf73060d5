import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One rule axe-core found broken, with the elements that break it. */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  targets: string[];
}

/** Each page's axe run in progress: axe-core refuses to start while another run is going on in the same document. */
const running = new WeakMap<Page, Promise<unknown>>();

/** axe-core's WCAG 2.x A and AA rules on a part of the page (runs on one page are serialised). */
export async function axeViolations(page: Page, selector: string): Promise<AxeViolation[]> {
  const previous = running.get(page) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      // Evaluated through the DevTools protocol, which the page's Content-Security-Policy (no inline script) does not govern.
      if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
      return page.evaluate(async (root) => {
        type Result = { violations: { id: string; impact: AxeViolation['impact']; nodes: { target: unknown[] }[] }[] };
        const axe = (window as unknown as { axe: { run(context: string, options: object): Promise<Result> } }).axe;
        const { violations } = await axe.run(root, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
          resultTypes: ['violations'],
        });
        return violations.map((violation) => ({ id: violation.id, impact: violation.impact, targets: violation.nodes.map((node) => node.target.join(' ')) }));
      }, selector);
    });
  running.set(page, run);
  return run;
}

/** axe-core's WCAG 2.x A and AA rules on a part of the page: no violation, listed by rule and element when there are. */
export async function expectAxeClean(page: Page, selector: string): Promise<void> {
  const violations = await axeViolations(page, selector);
  expect(violations.map((violation) => `${violation.id}: ${violation.targets.join(', ')}`)).toEqual([]);
}

const controlRoles = new Set(['button', 'textbox', 'combobox', 'checkbox', 'radio', 'link', 'listbox', 'spinbutton', 'slider', 'progressbar', 'group', 'img']);

/**
 * Accessibility checks of a part of the page from Chromium's own accessibility tree (what screen readers get):
 * every control, group and image has a name, and every `aria-describedby` and `aria-labelledby` names elements
 * that exist, and ids are unique: what axe-core ({@link expectAxeClean}) checks too, here from the tree a screen reader reads.
 */
export async function expectNamedControls(page: Page, selector: string): Promise<void> {
  const references = await page.evaluate((root) => {
    const scope = document.querySelector(root)!;
    const problems: string[] = [];
    const ids = new Map<string, number>();
    for (const element of Array.from(document.querySelectorAll('[id]'))) ids.set(element.id, (ids.get(element.id) ?? 0) + 1);
    for (const [id, count] of ids) if (count > 1) problems.push(`id "${id}" is used ${count} times`);
    for (const element of Array.from(scope.querySelectorAll('[aria-describedby], [aria-labelledby]'))) {
      for (const attribute of ['aria-describedby', 'aria-labelledby']) {
        for (const id of (element.getAttribute(attribute) ?? '').split(/\s+/).filter(Boolean)) {
          if (!document.getElementById(id)) problems.push(`${element.tagName.toLowerCase()} ${attribute} names missing #${id}`);
        }
      }
    }
    return problems;
  }, selector);
  expect(references).toEqual([]);

  const cdp = await page.context().newCDPSession(page);
  try {
    const { result } = await cdp.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(selector)})` });
    const unnamed: string[] = [];
    for (const role of controlRoles) {
      const { nodes } = await cdp.send('Accessibility.queryAXTree', { objectId: result.objectId!, role });
      for (const node of nodes) if (!node.ignored && !String(node.name?.value ?? '').trim()) unnamed.push(`${role} without a name`);
    }
    expect(unnamed).toEqual([]);
  } finally {
    await cdp.detach();
  }
}
