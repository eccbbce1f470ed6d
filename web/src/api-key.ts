import { AuthenticationError, PermissionDeniedError, type Segue } from '@segue/api-client';
import { announce, h } from './dom.js';

export interface KeyPrompt {
  /** the form, hidden until a write is refused for want of a key */
  element: HTMLFormElement;
  /** shows the form and puts the cursor in it, if `error` is a refusal for want of a (good) key; says whether it was */
  askIfRefused(error: unknown): boolean;
}

/**
 * A service with API keys refuses writes without one: the key is asked for
 * then, and kept for the browser session.
 */
export function apiKeyPrompt(segue: Segue, rememberApiKey: (key: string) => void): KeyPrompt {
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', value: segue.apiKey ?? '' });
  const element = h(
    'form',
    { class: 'api-key', hidden: !segue.apiKey },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit', class: 'button secondary' }, 'Use key'),
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    rememberApiKey(input.value.trim());
    announce(input.value.trim() ? 'API key saved for this session' : 'API key removed');
  });
  return {
    element,
    askIfRefused(error) {
      if (!(error instanceof AuthenticationError || error instanceof PermissionDeniedError)) return false;
      if (element.hidden) {
        element.hidden = false;
        input.focus();
      }
      return true;
    },
  };
}
