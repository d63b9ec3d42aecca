// The customer list's first page, read once in the background after My day (the page the app
// opens on) is drawn, so that the list, opened next, draws its rows at once and then asks
// again to check them (`ahead` in loader.svelte.ts). At a million customers that read takes
// 140-210 ms, half of what opening the list took.
//
// Whatever can change that page drops it: a customer saved, deleted, restored, erased or
// imported, another database opened or unlocked (App.svelte `reload`), and an evaluation
// finished or its list rows built (`evaluating`, compared when the page is taken).
import { api, type CustomerPage, type CustomerQuery } from './api';
import { evaluating } from './evaluating.svelte';
import { afterNextFrame } from './frames';

/** Rows per page of the customer list. */
export const PAGE_SIZE = 50;

/** What the customer list asks for when it opens: every customer by name, the first page. */
export const OPENING_QUERY: Readonly<CustomerQuery> = {
  search: null,
  kind: null,
  owner: null,
  tag: null,
  sort: 'name',
  descending: false,
  deleted: false,
  offset: 0,
  limit: PAGE_SIZE,
};

type Read = { query: string; results: string; page: Promise<CustomerPage | null> };

let read: Read | null = null;
let started = false;

/** The same text for the same query, whatever the order of its fields. */
const queryKey = (query: CustomerQuery): string => JSON.stringify(query, Object.keys(query).sort());

/** Which evaluation results the list's rows show. */
const resultsKey = (): string => `${evaluating.version}/${evaluating.standings}`;

/**
 * Reads the list's opening page after the frame now being drawn, once per start of the app:
 * the page already shown is not kept waiting for it.
 */
export function warmCustomerList(): void {
  if (started) return;
  started = true;
  afterNextFrame(readOpeningPage);
}

function readOpeningPage(): void {
  const query = { ...OPENING_QUERY };
  const entry: Read = {
    query: queryKey(query),
    results: resultsKey(),
    page: api.listCustomers(query).then((answer) => (answer.ok ? answer.data : null)),
  };
  read = entry;
  // A failed read is forgotten without a word: the list asks for itself, as it would have.
  void entry.page.then((page) => {
    if (page === null && read === entry) read = null;
  });
}

/** Something the page may show has changed: it is not shown. */
export function dropWarmCustomerList(): void {
  read = null;
}

/**
 * The page read ahead, or the promise of it, when the list opens with the query it was read
 * for and nothing has changed since; taken once. Resolves to null if the read failed.
 */
export function takeWarmCustomerList(query: CustomerQuery): Promise<CustomerPage | null> | null {
  const entry = read;
  read = null;
  if (entry === null || entry.query !== queryKey(query) || entry.results !== resultsKey()) return null;
  return entry.page;
}
