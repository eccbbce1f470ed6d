import { h } from './dom.js';
import { setTitle, type View, type ViewContext } from './view.js';

export function notFoundView(_context: ViewContext, message: string): View {
  setTitle('Not found');
  return {
    element: h(
      'section',
      { class: 'not-found', 'aria-labelledby': 'not-found-title' },
      h('h1', { id: 'not-found-title' }, 'Not found'),
      h('p', {}, message),
      h('p', {}, h('a', { href: './', 'data-link': true }, 'Back to the library')),
    ),
  };
}
