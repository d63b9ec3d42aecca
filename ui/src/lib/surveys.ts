// Names and figures of satisfaction surveys: kinds, form fields, how each kind's score reads.
import type { Score, Survey } from './api';
import type { Language, SurveyKind } from './bindings';
import { t } from './i18n.svelte';
import { labelOf, type Labels } from './labels';
import { keysOf } from './sets';

const KIND_LABELS = {
  nps: () => t('surveys.kind.nps'),
  csat: () => t('surveys.kind.csat'),
  ces: () => t('surveys.kind.ces'),
} satisfies Labels<SurveyKind>;

export const SURVEY_KINDS = keysOf(KIND_LABELS);
export const surveyKindLabel = (kind: SurveyKind): string => KIND_LABELS[kind]();

/** The lowest and highest score of each kind, as the backend checks them. */
export const SCALES = { nps: [0, 10], csat: [1, 5], ces: [1, 7] } satisfies Record<SurveyKind, [number, number]>;

/** Every point of a kind's scale, lowest first. */
export function scalePoints(kind: SurveyKind): number[] {
  const [low, high] = SCALES[kind];
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

/** In the order the first field with an error takes the focus. */
export const SURVEY_FIELDS = ['kind', 'name', 'question_zh', 'question_en', 'active'] as const;
export type SurveyField = (typeof SURVEY_FIELDS)[number];

const SURVEY_FIELD_LABELS = {
  kind: () => t('surveys.field.kind'),
  name: () => t('surveys.field.name'),
  question_zh: () => t('surveys.field.question_zh'),
  question_en: () => t('surveys.field.question_en'),
  active: () => t('surveys.field.active'),
} satisfies Labels<SurveyField>;

export const surveyFieldLabel = (field: string): string => labelOf(SURVEY_FIELD_LABELS, field);

export const ANSWER_FIELDS = ['survey_id', 'score', 'responded_on', 'comment'] as const;
export type AnswerField = (typeof ANSWER_FIELDS)[number];

const ANSWER_FIELD_LABELS = {
  survey_id: () => t('surveys.answer.survey'),
  score: () => t('surveys.answer.score'),
  responded_on: () => t('surveys.answer.responded_on'),
  comment: () => t('surveys.answer.comment'),
  customer_id: () => t('contacts.field.customer'),
  kind: () => t('surveys.field.kind'),
} satisfies Labels<AnswerField | 'customer_id' | 'kind'>;

export const answerFieldLabel = (field: string): string => labelOf(ANSWER_FIELD_LABELS, field);

/** The survey's question in `language`, else in the other one. */
export function questionIn(survey: Survey, language: Language): string | null {
  return language === 'en' ? (survey.question_en ?? survey.question_zh) : (survey.question_zh ?? survey.question_en);
}

/** The headline of a score: NPS as a signed number, CSAT as a share, CES as a mean. */
export function formatScore(kind: SurveyKind, score: Score, locale: string): string {
  if (score.score === null) return '—';
  if (kind === 'nps') {
    return new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(score.score);
  }
  if (kind === 'csat') return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(score.score / 100);
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(score.score);
}

/** The share beside the headline: promoters, satisfied or easy, as a percentage. */
export function formatTopShare(score: Score, locale: string): string {
  if (score.top_share === null) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(score.top_share / 100);
}

const TOP_SHARE_LABELS = {
  nps: () => t('surveys.top_share.nps'),
  csat: () => t('surveys.top_share.csat'),
  ces: () => t('surveys.top_share.ces'),
} satisfies Labels<SurveyKind>;

export const topShareLabel = (kind: SurveyKind): string => TOP_SHARE_LABELS[kind]();

const SCORE_LABELS = {
  nps: () => t('surveys.score_name.nps'),
  csat: () => t('surveys.score_name.csat'),
  ces: () => t('surveys.score_name.ces'),
} satisfies Labels<SurveyKind>;

export const scoreLabel = (kind: SurveyKind): string => SCORE_LABELS[kind]();
