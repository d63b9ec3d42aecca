// What a view shows of something it reads from the backend: the last answer, whether a
// newer one is on its way, and the error of the last request. Requests are numbered so that
// a late answer never overwrites the answer to a newer one.
import type { ApiError, Result } from './api';
import { afterNextFrame } from './frames';

export type Loader<T> = {
  /** The last answer, or null until the first one arrives. */
  readonly data: T | null;
  /** A request is on its way. */
  readonly loading: boolean;
  /** Why the last request failed; the data it would have replaced stays. */
  readonly error: ApiError | null;
  /** Asks again, as the view last asked. */
  reload: () => void;
  dismiss: () => void;
  /**
   * Sends another request in the same line as the view's own (the next page of a list):
   * it is dropped if the view asks again before it is answered, and the other way round.
   * Resolves to whether its answer was taken.
   */
  load: (request: () => Promise<Result<T>>) => Promise<boolean>;
};

/** What a view reads of a loader: everything but sending requests of its own. */
export type Loaded<T> = Omit<Loader<T>, 'load'>;

/**
 * Numbers the requests passed through it: each resolves to its answer while it is the
 * latest one, and to null once a newer one has started.
 */
export function latestOnly(): <R>(request: Promise<R>) => Promise<R | null> {
  let latest = 0;
  return async (request) => {
    const seq = ++latest;
    const answer = await request;
    return seq === latest ? answer : null;
  };
}

/**
 * Runs `request` at once, and again whenever a reactive value it reads before its first
 * `await` changes, like an effect (call it while a component initialises). `accept` sees
 * each answer first and can refuse it, keeping what is shown, when the answer asks for
 * something else (a page that emptied: the view moves to the last page instead).
 *
 * `ahead` is the answer to the first request read ahead of time (null when that read
 * failed): it is shown as soon as it is there, and only then is `request` sent, to check
 * it. While it is checked nothing is dimmed; its answer then changes only what differs.
 * With `depends` (reading what `request` reads), the check waits for that answer to be
 * drawn, not to take the processor from the drawing.
 */
export function createLoader<T>(
  request: () => Promise<Result<T>>,
  options: {
    accept?: (data: T) => boolean;
    ahead?: Promise<T | null> | null;
    depends?: () => unknown;
  } = {},
): Loader<T> {
  let data = $state<T | null>(null);
  let loading = $state(false);
  let error = $state<ApiError | null>(null);
  let attempt = $state(0);
  const latest = latestOnly();
  let ahead = options.ahead ?? null;
  /** The next request checks the answer read ahead. */
  let checkNext = false;

  async function load(next: () => Promise<Result<T>>, checking = false): Promise<boolean> {
    // A check leaves what is shown undimmed.
    if (!checking) loading = true;
    const result = await latest(next());
    if (result === null) return false;
    loading = false;
    if (!result.ok) {
      error = result.error;
      return false;
    }
    error = null;
    if (options.accept && !options.accept(result.data)) return false;
    data = result.data;
    return true;
  }

  async function showAhead(read: Promise<T | null>): Promise<void> {
    loading = true;
    const answer = await read;
    // The view's own first request waits for this one; a page it loaded itself stays.
    if (answer !== null && data === null) {
      data = answer;
      loading = false;
      checkNext = true;
    }
    attempt++;
  }

  $effect(() => {
    void attempt;
    if (ahead !== null) {
      // Until it is there, the view's request is not sent; it is sent next, as the view is then.
      void showAhead(ahead);
      ahead = null;
      return;
    }
    const checking = checkNext;
    checkNext = false;
    if (checking && options.depends) {
      // What the request reads is read here, so that a change still sends it again.
      options.depends();
      afterNextFrame(() => void load(request, true));
      return;
    }
    void load(request, checking);
  });

  return {
    get data() {
      return data;
    },
    get loading() {
      return loading;
    },
    get error() {
      return error;
    },
    reload: () => {
      attempt++;
    },
    dismiss: () => {
      error = null;
    },
    load: (next) => load(next),
  };
}

/**
 * Where a paged list goes when the page at `offset` came back empty while rows remain
 * (deleted elsewhere): the offset of the last page that has rows, or null to stay.
 */
export function lastFilledPage(page: { items: unknown[]; total: number }, offset: number, pageSize: number): number | null {
  if (page.items.length > 0 || page.total === 0 || offset === 0) return null;
  return Math.floor((page.total - 1) / pageSize) * pageSize;
}
