// Translations with i18next. `t` reads the current language from a rune, so every template
// expression that calls it re-renders when the language changes.
import i18next from 'i18next';
import en from '../locales/en.json';
import zhCN from '../locales/zh-CN.json';
import type { Language } from './bindings';

export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';
type RawKeys<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : RawKeys<T[K], `${P}${K}.`>;
}[keyof T & string];
// "a.count_one" is a plural form of "a.count" only when "a.count_other" exists too.
type BaseKey<K extends string, All extends string> = K extends `${infer B}_${PluralSuffix}`
  ? `${B}_other` extends All
    ? B
    : K
  : K;
type Keys<All extends string> = { [K in All]: BaseKey<K, All> }[All];

/** Every key of the English resources (plural forms folded into their base key). */
export type TKey = Keys<RawKeys<typeof en>>;

let current = $state<Language>('en');

export const locale = {
  get current(): Language {
    return current;
  },
};

i18next.init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: LANGUAGES as Language[],
  initAsync: false,
  returnNull: false,
  // Svelte renders text nodes, never HTML: escaping here would show entities literally.
  interpolation: { escapeValue: false },
});

// Explicit direction marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-E,
// U+2066-9).
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * A value put into a sentence keeps its direction to itself: a name holding a right-to-left
 * override would otherwise turn the rest of the sentence around ("…” to the trash" read
 * backwards). Such a value goes between FSI and PDI (U+2068, U+2069), which end every
 * override opened inside; other values are left as they are.
 */
function isolated(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    out[name] = typeof value === 'string' && BIDI_CONTROLS.test(value) ? `\u2068${value}\u2069` : value;
  }
  return out;
}

export function t(key: TKey, options?: Record<string, unknown>): string {
  // Reading the rune makes callers depend on the language.
  const lng = current;
  return i18next.t(key, { ...(options && isolated(options)), lng }) as string;
}

/** The language to start in when the user has not chosen one. */
export function detectLanguage(browser: string | undefined): Language {
  return browser && browser.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export async function applyLanguage(lang: Language): Promise<void> {
  await i18next.changeLanguage(lang);
  current = lang;
  document.documentElement.lang = lang;
}
