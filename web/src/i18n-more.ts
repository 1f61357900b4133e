/** More dictionary entries ([zh, en]), merged into the main dictionary in i18n.ts. */
export const MORE = {
  ledger: ['台账', 'Ledger'],
  columns: ['显示列', 'Columns'],
} as const;
