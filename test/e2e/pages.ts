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
  async step(action: 'submit' | 'approve' | 'reopen', ledger: string): Promise<void> {
    await this.page.getByTestId(`${action}-${ledger}`).click();
  }
  async status(ledger: string): Promise<string> {
    return this.page.getByTestId(`state-${ledger}`).innerText();
  }
}
