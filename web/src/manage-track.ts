import { type Track, type TrackUpdate, ValidationError } from '@segue/api-client';
import { apiKeyPrompt } from './api-key.js';
import { announce, h } from './dom.js';
import type { ViewContext } from './view.js';

type TagName = keyof TrackUpdate;

const TAG_FIELDS: ReadonlyArray<{ name: TagName; label: string; numeric?: boolean }> = [
  { name: 'title', label: 'Title' },
  { name: 'artist', label: 'Artist' },
  { name: 'album', label: 'Album' },
  { name: 'year', label: 'Year', numeric: true },
  { name: 'genre', label: 'Genre' },
  { name: 'trackNumber', label: 'Track number', numeric: true },
];

/** What the form says of a tag: `null` for an emptied field, a number for the numeric ones. */
function fieldValue(input: HTMLInputElement, numeric: boolean | undefined): string | number | null {
  const text = input.value.trim();
  if (text === '') return null;
  return numeric ? Number(text) : text;
}

/** The tags the form changes, as a PATCH body; empty when it changes none. */
function changedTags(track: Track, inputs: Map<TagName, HTMLInputElement>): Partial<Record<TagName, string | number | null>> {
  const patch: Partial<Record<TagName, string | number | null>> = {};
  for (const { name, numeric } of TAG_FIELDS) {
    const value = fieldValue(inputs.get(name)!, numeric);
    if (value !== track[name]) patch[name] = value;
  }
  return patch;
}

/**
 * A track's tags to edit, and the track to delete (after a confirmation),
 * from its page. Writes ask for the API key, as uploads do, when the service
 * refuses them for want of one. `onChanged` gets the track as saved.
 */
export function managePanel(context: ViewContext, initial: Track, onChanged: (track: Track) => void): HTMLElement {
  const { segue } = context;
  let track = initial;
  const keyPrompt = apiKeyPrompt(segue, context.rememberApiKey);
  const status = h('p', { class: 'manage-status', role: 'status' });
  const inputs = new Map<TagName, HTMLInputElement>();
  const fields = TAG_FIELDS.map(({ name, label, numeric }) => {
    const input = h('input', {
      id: `tag-${name}`,
      name,
      type: numeric ? 'number' : 'text',
      value: track[name] ?? '',
      required: name === 'title',
      ...(numeric ? { min: name === 'year' ? 0 : 1, max: 9999, step: 1 } : { maxlength: 300 }),
    });
    inputs.set(name, input);
    return h('label', { for: `tag-${name}` }, label, input);
  });
  const form = h('form', { class: 'tag-form', 'aria-label': 'Tags' }, ...fields, h('button', { type: 'submit', class: 'button' }, 'Save tags'));

  const failed = (error: unknown) => {
    if (keyPrompt.askIfRefused(error)) status.textContent = 'This service needs an API key for that: enter it, then try again.';
    else status.textContent = error instanceof ValidationError ? `Not saved: ${error.message}` : `Not saved: ${(error as Error).message}`;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const patch = changedTags(track, inputs);
    if (Object.keys(patch).length === 0) {
      status.textContent = 'Nothing to save: no tag was changed.';
      return;
    }
    try {
      track = await segue.tracks.update(track.id, patch as TrackUpdate);
      status.textContent = 'Tags saved.';
      announce('Tags saved');
      onChanged(track);
    } catch (error) {
      failed(error);
    }
  });

  const confirmDelete = h('button', { type: 'button', class: 'button danger' }, 'Delete');
  const cancelDelete = h('button', { type: 'button', class: 'button secondary' }, 'Cancel');
  const question = h('p', { id: 'delete-question' });
  const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'delete-question' }, question, h('div', { class: 'confirm-actions' }, confirmDelete, cancelDelete));
  const deleteButton = h('button', { type: 'button', class: 'button danger' }, 'Delete track');
  deleteButton.addEventListener('click', () => {
    question.textContent = `Delete “${track.title}”? It goes for good, with its original and everything made from it.`;
    dialog.showModal();
    cancelDelete.focus();
  });
  cancelDelete.addEventListener('click', () => dialog.close());
  confirmDelete.addEventListener('click', async () => {
    dialog.close();
    try {
      await segue.tracks.delete(track.id);
      announce(`${track.title} was deleted`);
      context.navigate('./');
    } catch (error) {
      failed(error);
    }
  });

  return h(
    'details',
    { class: 'manage' },
    h('summary', {}, 'Edit or delete'),
    form,
    h('div', { class: 'manage-actions' }, deleteButton),
    keyPrompt.element,
    status,
    dialog,
  );
}
