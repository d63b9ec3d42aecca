// The pages of the sidebar, as the sidebar lists them, for whatever else leads to a page (the
// command palette): the sidebar registers its own list, so a page added there is found
// everywhere without a second list to keep up to date.
import type { IconName } from '../components/Icon.svelte';
import type { View } from '../components/Sidebar.svelte';

export type PageEntry = { view: View; icon: IconName; label: () => string };

let pages = $state<PageEntry[]>([]);

export const navigation = {
  get pages(): PageEntry[] {
    return pages;
  },
};

/** Called by the sidebar with its navigation, in its order. */
export function registerPages(entries: PageEntry[]): void {
  pages = entries;
}
