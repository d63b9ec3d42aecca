// The one evaluation that may run at a time, shared by every view: the segments page shows
// its progress, an import starts one in the background, and views that show results reload
// when `version` changes. A toast says when it is done, wherever the user is by then.
import { api, type EvaluationProgress, type MemberFilter, type Run, type Trigger } from './api';
import type { Dimension } from './bindings';
import { errorText } from './errors';
import { t } from './i18n.svelte';
import { showToast } from './toasts.svelte';

let running = $state(false);
let progress = $state<EvaluationProgress | null>(null);
let version = $state(0);
let standings = $state(0);

export const evaluating = {
  get running(): boolean {
    return running;
  },
  get progress(): EvaluationProgress | null {
    return progress;
  },
  /** Goes up after each finished evaluation. */
  get version(): number {
    return version;
  },
  /** Goes up when the list, My day and the survey list move to a newer run's standings. */
  get standings(): number {
    return standings;
  },
};

/**
 * A run is stored without the rows the lists read, so that its result shows at once; they
 * are built next (seconds at a million customers), and the lists reload then. Also called at
 * start and on coming back to the window, for a run another process stored.
 */
export async function buildStandings(): Promise<void> {
  const result = await api.buildLatestStandings();
  if (!result.ok) {
    const error = result.error;
    showToast(() => t('segments.standings_failed', { reason: errorText(error) }), { tone: 'error' });
    return;
  }
  if (result.data !== null) standings++;
}

/** Starts an evaluation at today's date unless one runs already; resolves with its run, or null. */
export async function startEvaluation(trigger: Trigger): Promise<Run | null> {
  if (running) return null;
  running = true;
  progress = null;
  const result = await api.runEvaluation(null, trigger, (p) => (progress = p));
  running = false;
  progress = null;
  if (!result.ok) {
    const error = result.error;
    showToast(() => t('segments.run_failed', { reason: errorText(error) }), { tone: 'error' });
    return null;
  }
  version++;
  const count = result.data.customers;
  showToast(() => t('segments.run_done', { count }));
  void buildStandings();
  return result.data;
}

/** What the segments page shows; kept here so that it is where the user left it after a visit to a profile. */
export type SegmentsTab = 'overview' | 'members' | 'migration' | 'settings';

export const segmentsState = $state<{
  tab: SegmentsTab;
  filter: MemberFilter;
  offset: number;
  migration: { from: number | null; to: number | null; dimension: Dimension };
}>({
  tab: 'overview',
  filter: {},
  offset: 0,
  migration: { from: null, to: null, dimension: 'tier' },
});
