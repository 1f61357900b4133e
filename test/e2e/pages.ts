import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/** Page models: what a user does on each page, in the words of the page, so tests read like steps. */
export class LoginPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async signIn(username: string, password: string): Promise<void> {
    await this.page.goto(`${this.base}/`);
    await this.page.getByTestId('login-username').fill(username);
    await this.page.getByTestId('login-password').fill(password);
    await this.page.getByTestId('login-submit').click();
    await this.page.getByTestId('user-menu').waitFor();
  }
}

export class DashboardPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/`);
    await this.page.getByTestId('card-funds.disbursement_rate').waitFor();
  }
  /** The figure shown on a headline card, e.g. "89.45%". */
  async headline(id: string): Promise<string> {
    return (await this.page.getByTestId(`card-${id}`).locator('.ant-statistic-content').innerText()).trim();
  }
}

export class LedgerPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(kind: string): Promise<void> {
    await this.page.goto(`${this.base}/ledgers/${kind}`);
    await this.page.getByTestId(`ledger-${kind}`).waitFor();
    await this.page.locator('.ant-table-row').first().waitFor();
  }
  row(text: string) {
    return this.page.locator('.ant-table-row', { hasText: text });
  }
  /** The 合计 row (a card on phones): its label and sums. */
  async total(): Promise<string> {
    return this.page.getByTestId('ledger-total').innerText();
  }
  /** Opens the edit form of the row containing `text` and sets one field. */
  async edit(text: string, field: string, value: string): Promise<void> {
    await this.row(text).getByRole('button', { name: /编辑|Edit/ }).click();
    const input = this.page.getByTestId('record-form').getByTestId(`field-${field}`);
    await input.fill(value);
  }
  async save(): Promise<void> {
    await this.page.getByTestId('record-save').click();
  }
  async add(): Promise<void> {
    await this.page.getByTestId('add-record').click();
  }
  /** The text of the latest message toast. */
  async toast(): Promise<string> {
    const t = this.page.locator('.ant-message-notice').last();
    await t.waitFor();
    return t.innerText();
  }
}

export class WorkflowPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/workflow`);
    await this.page.getByTestId('workflow').locator('.ant-table-row').first().waitFor();
  }
  /** Takes a workflow step; a submission asks for confirmation first, and its text is returned. */
  async step(action: 'submit' | 'approve' | 'reopen', ledger: string): Promise<string | undefined> {
    await this.page.getByTestId(`${action}-${ledger}`).click();
    if (action !== 'submit') return undefined;
    const confirm = this.page.getByTestId('submit-confirm');
    await confirm.waitFor();
    const text = await confirm.innerText();
    await this.page.locator('.ant-modal-confirm').getByRole('button', { name: /提\s*交\s*审\s*核|Submit/ }).click();
    return text;
  }
  async status(ledger: string): Promise<string> {
    return this.page.getByTestId(`state-${ledger}`).innerText();
  }
}

export class ReportedPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/reported`);
    await this.page.getByTestId('reported-table').locator('.ant-table-row').first().waitFor();
  }
  /** The printed figure of a reported value, e.g. "4562.143万元". */
  async figure(element: string, dim?: string): Promise<string> {
    return (await this.page.getByTestId(`reported-${element}${dim ? `-${dim}` : ''}`).innerText()).trim();
  }
  /** Opens the edit form of a reported value and types its new figure, as people write it. */
  async edit(element: string, text: string, note?: string): Promise<void> {
    const row = this.page.locator('.ant-table-row', { has: this.page.getByTestId(`reported-${element}`) });
    await row.getByRole('button', { name: /编辑|Edit/ }).click();
    const form = this.page.getByTestId('reported-form');
    await form.getByTestId('field-text').fill(text);
    if (note !== undefined) await form.getByTestId('field-note').fill(note);
  }
  /** Opens the form for a new value and picks its element (and breakdown) from the lists by their labels. */
  async add(element: string, dim: string | null, text: string): Promise<void> {
    await this.page.getByTestId('add-reported').click();
    const form = this.page.getByTestId('reported-form');
    await this.pick(form.getByTestId('field-element'), element, true);
    if (dim) await this.pick(form.getByTestId('field-dim'), dim, false);
    await form.getByTestId('field-text').fill(text);
  }
  /** Long lists render only the options in view: searchable ones are narrowed by typing first. */
  private async pick(select: ReturnType<Page['getByTestId']>, label: string, search: boolean): Promise<void> {
    // On a loaded machine a click can land while the list is still sliding open and miss; try again.
    for (let attempt = 1; ; attempt++) {
      await select.click();
      if (search) await this.page.keyboard.type(label);
      await this.page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label }).first().click();
      try {
        await select.filter({ hasText: label }).waitFor({ timeout: 8_000 });
        break;
      } catch (e) {
        if (attempt === 5) throw e;
        await this.page.keyboard.press('Escape');
        // Let the list finish closing before the next try opens it again.
        await expect.poll(() => this.page.locator('.ant-select-dropdown:visible').count(), { timeout: 10_000 }).toBe(0);
      }
    }
    // The list closes with an animation; a slow machine may still show it when the next list opens,
    // and an option of the closing list could then be clicked instead.
    await expect.poll(() => this.page.locator('.ant-select-dropdown:visible').count(), { timeout: 10_000 }).toBe(0);
  }
  async save(): Promise<void> {
    await this.page.getByTestId('reported-save').click();
  }
}

export class NarrativePage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/narrative`);
    await this.page.getByTestId('section-highlights').locator('.ant-list-item').first().waitFor();
  }
  paragraph(section: string, seq: number) {
    return this.page.getByTestId(`paragraph-${section}-${seq}`);
  }
  /** Opens a paragraph's editor and replaces its text. */
  async edit(section: string, seq: number, body: string): Promise<void> {
    await this.page.getByTestId(`edit-${section}-${seq}`).click();
    await this.page.getByTestId('narrative-form').getByTestId('field-body').fill(body);
  }
  async save(): Promise<void> {
    await this.page.getByTestId('narrative-save').click();
  }
  async previewReport(): Promise<void> {
    await this.page.getByTestId('preview-report').click();
    await this.page.getByTestId('report-preview').waitFor();
  }
}

export class AccountPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/account`);
    await this.page.getByTestId('change-password').waitFor();
  }
  async changePassword(current: string, next: string, confirm = next): Promise<void> {
    await this.page.getByTestId('password-current').fill(current);
    await this.page.getByTestId('password-next').fill(next);
    await this.page.getByTestId('password-confirm').fill(confirm);
    await this.page.getByTestId('password-save').click();
  }
  /** Error texts shown under the password form's fields. */
  async errors(): Promise<string> {
    return (await this.page.getByTestId('change-password').locator('.ant-form-item-explain-error').allInnerTexts()).join(' ');
  }
}

/** The administrator's accounts page: add, edit, disable, unlock and reset accounts. */
export class UsersPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/users`);
    await this.page.locator('[data-testid^="user-row-"]').first().waitFor();
  }
  /** An account's table row, or its card on a phone. */
  row(username: string) {
    return this.page.getByTestId(`user-row-${username}`);
  }
  /** Fills the add form; the role is picked by its label. */
  async add(u: { username: string; displayName: string; role: string; units: string; password: string }): Promise<void> {
    await this.page.getByTestId('user-add').click();
    const form = this.page.getByTestId('user-form');
    await form.getByLabel('用户名', { exact: true }).fill(u.username);
    await form.getByLabel('姓名/单位', { exact: true }).fill(u.displayName);
    await this.pick(form, u.role);
    await form.getByLabel('所属单位', { exact: true }).fill(u.units);
    await form.getByLabel('密码', { exact: true }).fill(u.password);
    await this.page.getByTestId('user-save').click();
  }
  async edit(username: string, changes: { displayName?: string; role?: string }): Promise<void> {
    await this.row(username).getByTestId(`edit-${username}`).click();
    const form = this.page.getByTestId('user-edit-form');
    if (changes.displayName !== undefined) await form.getByLabel('姓名/单位', { exact: true }).fill(changes.displayName);
    if (changes.role !== undefined) await this.pick(form, changes.role);
    await this.page.getByTestId('user-edit-save').click();
  }
  /** Disables (or enables) the account, confirming when asked. */
  async toggle(username: string): Promise<void> {
    const button = this.row(username).getByTestId(`toggle-${username}`);
    const disabling = /停\s*用/.test(await button.innerText());
    await button.click();
    if (disabling) await this.confirm();
  }
  async unlock(username: string): Promise<void> {
    await this.row(username).getByTestId(`unlock-${username}`).click();
  }
  /** Resets the password after confirming; returns the new password the page shows once. */
  async resetPassword(username: string): Promise<string> {
    await this.row(username).getByTestId(`reset-${username}`).click();
    await this.confirm();
    const shown = this.page.getByTestId('reset-password');
    await shown.waitFor();
    return (await shown.innerText()).trim();
  }
  async closeDialog(): Promise<void> {
    await this.page.locator('.ant-modal-confirm-btns .ant-btn-primary').last().click();
    await this.page.locator('.ant-modal-confirm').last().waitFor({ state: 'detached' });
  }
  async status(username: string): Promise<string> {
    return this.row(username).locator('.ant-tag').allInnerTexts().then((t) => t.join(' '));
  }
  private async confirm(): Promise<void> {
    await this.page.locator('.ant-modal-confirm-btns .ant-btn-primary').last().click();
  }
  private async pick(form: ReturnType<Page['getByTestId']>, label: string): Promise<void> {
    await form.getByLabel('角色', { exact: true }).click();
    await this.page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label }).first().click();
  }
}

export class ImportPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/import`);
    await this.page.getByTestId('import-page').waitFor();
  }
  /** Chooses the files to import, replacing any chosen before. */
  async choose(files: string[]): Promise<void> {
    const clear = this.page.getByTestId('import-clear');
    if (await clear.isEnabled()) await clear.click();
    await this.page.getByTestId('import-files').locator('input[type=file]').setInputFiles(files);
  }
  async check(): Promise<void> {
    await this.page.getByTestId('import-check').click();
  }
  async confirm(): Promise<void> {
    await this.page.getByTestId('import-confirm').click();
  }
  async status(): Promise<string> {
    return this.page.getByTestId('import-status').innerText();
  }
  /** The problem table's rows, each as its cells' texts. */
  async problems(): Promise<string[][]> {
    const rows = this.page.getByTestId('import-problems').locator('.ant-table-row');
    const out: string[][] = [];
    for (const r of await rows.all()) out.push(await r.locator('td').allInnerTexts());
    return out;
  }
  /** Why the files were refused, as the page keeps showing it. */
  async refusal(): Promise<string> {
    return this.page.getByTestId('import-refused').innerText();
  }
  /** Matched / new / ambiguous of a ledger, as shown. */
  async preview(ledgerLabel: string): Promise<string[]> {
    const cells = await this.page.getByTestId('import-preview').locator('.ant-table-row', { hasText: ledgerLabel }).locator('td').allInnerTexts();
    return cells.slice(1);
  }
  /** Added / updated / unchanged of a ledger, as shown. */
  async counts(ledgerLabel: string): Promise<string[]> {
    const cells = await this.page.getByTestId('import-summary').locator('.ant-table-row', { hasText: ledgerLabel }).locator('td').allInnerTexts();
    return cells.slice(1);
  }
}

export class FigureCheckPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/figure-check`);
    await this.page.getByTestId('figure-run').waitFor();
  }
  async paste(text: string): Promise<void> {
    await this.page.getByTestId('figure-text').fill(text);
  }
  async upload(file: string): Promise<void> {
    await this.page.locator('input[type=file]').setInputFiles(file);
  }
  async check(againstData = false): Promise<string> {
    if (againstData) await this.page.getByTestId('figure-against').click();
    await this.page.getByTestId('figure-run').click();
    return (await this.page.getByTestId('figure-summary').innerText()).trim();
  }
  /** The verdicts of the relations listed beside the text, in order. */
  async verdicts(): Promise<string[]> {
    return this.page.getByTestId('figure-relation').evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict') ?? ''));
  }
  /** The verdict a figure is marked with where it stands in the text, by its text. */
  async marked(text: string): Promise<string> {
    return (await this.page.getByTestId('figure-marked').locator('mark', { hasText: text }).first().getAttribute('data-verdict')) ?? '';
  }
}

export class ConfigPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  /** Opens the configuration of a unit and year. */
  async open(unit: string, year: number): Promise<void> {
    await this.page.goto(`${this.base}/config`);
    await this.page.getByTestId('config-page').waitFor();
    await this.page.getByTestId('config-unit').fill(unit);
    await this.page.getByTestId('config-year').fill(String(year));
    await this.page.getByTestId('config-year').blur();
    await this.page.getByTestId('config-list').waitFor();
  }
  async chooseList(name: string): Promise<void> {
    await this.page.getByTestId('config-list').click();
    // Lists show as "转移就业去向（labour_destination）": their name for people, then their code.
    await this.page.locator('.ant-select-item-option', { hasText: new RegExp(`（${name}）$`) }).click();
  }
  async itemCount(): Promise<number> {
    return this.page.getByTestId('config-items').locator('tbody tr.ant-table-row').count();
  }
  /** Renames the value in row `i` (its Chinese label). */
  async label(i: number, zh: string): Promise<void> {
    await this.page.getByTestId(`item-zh-${i}`).fill(zh);
  }
  async addItem(value: string, zh: string, en: string): Promise<void> {
    const i = await this.itemCount();
    await this.page.getByTestId('config-add-item').click();
    await this.page.getByTestId(`item-value-${i}`).fill(value);
    await this.page.getByTestId(`item-zh-${i}`).fill(zh);
    await this.page.getByTestId(`item-en-${i}`).fill(en);
  }
  async saveList(): Promise<void> {
    await this.page.getByTestId('config-save-list').click();
  }
  /** Sets how rates print on the rounding tab and saves. */
  async setRounding(mode: 'half_up' | 'truncate' | 'whole', decimals?: number): Promise<void> {
    await this.page.getByRole('tab', { name: /取舍规则|Rounding/ }).click();
    await this.page.getByTestId('rounding-mode').click();
    const label = { half_up: /四舍五入|Round half up/, truncate: /截尾|Truncate/, whole: /取整百分比|Whole percent/ }[mode];
    await this.page.locator('.ant-select-item-option', { hasText: label }).click();
    if (decimals !== undefined && mode !== 'whole') await this.page.getByTestId('rounding-decimals').fill(String(decimals));
    await this.page.getByTestId('rounding-save').click();
  }
  async toast(): Promise<string> {
    const t = this.page.locator('.ant-message-notice').last();
    await t.waitFor();
    return t.innerText();
  }
}

/** The zip of every county's report, on the report page of a province, prefecture or eastern user. */
export class ReportZipPage {
  constructor(private readonly page: Page, private readonly base: string) {}
  async open(): Promise<void> {
    await this.page.goto(`${this.base}/report`);
    await this.page.getByTestId('zip-all').waitFor();
  }
  /** Starts the zip and waits until it is done; returns the progress text shown at the end (e.g. "2/2"). */
  async writeAll(): Promise<string> {
    await this.page.getByTestId('zip-start').click();
    await this.page.getByTestId('zip-download').waitFor({ timeout: 120_000 });
    return (await this.page.getByTestId('zip-progress').locator('.ant-progress-indicator, .ant-progress-text').first().innerText()).trim();
  }
  /** Downloads the finished zip; returns its bytes and the name the browser was given. */
  async download(): Promise<{ name: string; data: Buffer }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('zip-download').click()]);
    const { readFileSync } = await import('node:fs');
    return { name: download.suggestedFilename(), data: readFileSync((await download.path())!) };
  }
}

/** The period selector of the indicators page and the dashboard (全年 / 一季度末 … / 1—n月). */
export class PeriodPicker {
  constructor(private readonly page: Page) {}
  /** Picks a period by its label as shown, e.g. "二季度末" or "1—8月", and waits for the figures of that period. */
  async pick(label: string): Promise<void> {
    await this.page.getByTestId('period-select').click();
    await this.page.locator('.ant-select-item-option', { hasText: label }).first().click();
    if (label === '全年' || label === 'Whole year') await this.page.getByTestId('period-banner').waitFor({ state: 'detached' });
    else await this.page.getByTestId('period-banner').waitFor();
  }
  async banner(): Promise<string> {
    return (await this.page.getByTestId('period-banner').innerText()).trim();
  }
}
