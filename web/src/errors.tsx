import { message } from 'antd';
import { ApiError } from './api.ts';
import type { I18n } from './i18n.ts';

/** Shows an API error in the user's language; returns it for callers that need the code. */
export function showError(e: unknown, i18n: I18n): ApiError | undefined {
  if (e instanceof ApiError) {
    void message.error(i18n.L(e.msg));
    return e;
  }
  void message.error(String(e));
  return undefined;
}
