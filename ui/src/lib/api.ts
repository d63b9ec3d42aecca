// The only door from the UI to the backend. Every call resolves to a Result and never throws:
// backend errors arrive as ErrorPayload, and anything else (a plain string from Tauri when it
// rejects malformed arguments, a thrown Error, an unexpected value) is turned into one.
import { Channel } from '@tauri-apps/api/core';
import {
  commands,
  type Chart,
  type ChartFileFormat,
  type ChartQuery_Deserialize,
  type AppInfo,
  type BackupFile,
  type ComplaintInput_Deserialize,
  type Complaint_Serialize,
  type ComplaintQuery_Deserialize,
  type ComplaintRow_Serialize,
  type LoyaltyEntry_Serialize,
  type LoyaltyEntryInput_Deserialize,
  type LoyaltyLedger_Serialize,
  type WorkSettings_Serialize,
  type WorkSettingsInput_Deserialize,
  type Contact_Serialize,
  type ContactInput_Deserialize,
  type Customer_Serialize,
  type DuplicateDraft_Deserialize,
  type PossibleDuplicate_Serialize,
  type CustomerInput_Deserialize,
  type BulkAction_Deserialize,
  type BulkOutcome,
  type CustomerPage_Serialize,
  type ListStanding_Serialize,
  type SavedView_Serialize,
  type CustomerQuery_Deserialize,
  type DemoSummary,
  type Dimension,
  type EvaluationProgress,
  type EvaluationSettings_Deserialize,
  type EvaluationSettings_Serialize,
  type Flow_Serialize,
  type HistoryEntry_Serialize,
  type MemberFilter_Deserialize,
  type MemberRow_Serialize,
  type MyDay_Serialize,
  type MyDayCounts,
  type MyDayItem_Serialize,
  type MyDaySection,
  type NextStep,
  type EvaluationRun_Serialize,
  type Standing_Serialize,
  type Trigger,
  type ErrorCode,
  type ExportedFile,
  type ExportFormat,
  type Field,
  type ImportBatch_Serialize,
  type ImportKind,
  type ImportMode,
  type ImportOptions_Deserialize,
  type ImportReport_Serialize,
  type ImportStatus,
  type Preview_Serialize,
  type Progress,
  type Reason,
  type RevertReport,
  type RowError_Serialize,
  type TableExport,
  type ErrorPayload_Serialize,
  type FieldError_Serialize,
  type InteractionLog_Deserialize,
  type AgendaQuery_Deserialize,
  type AgendaItem_Serialize,
  type AgendaCounts,
  type CustomerFollowUps_Serialize,
  type FollowUp_Serialize,
  type NewFollowUp_Deserialize,
  type SnoozeFor,
  type Language,
  type OrderInput_Deserialize,
  type PipelineBoard_Serialize,
  type PipelineCard_Serialize,
  type PipelineMoveInput_Deserialize,
  type PipelineStage,
  type PipelineSummary_Serialize,
  type StageSummary_Serialize,
  type SurveyResponseInput_Deserialize,
  type RecordedAnswer_Serialize,
  type ResultsQuery_Deserialize,
  type Score_Serialize,
  type ScoreGroup_Serialize,
  type Survey_Serialize,
  type SurveyDuePage_Serialize,
  type SurveyInput_Deserialize,
  type SurveyOverview_Serialize,
  type SurveyResults_Serialize,
  type TimelineCursor,
  type TimelineEntry_Serialize,
  type TimelineKind,
  type TimelinePage_Serialize,
  type TimelinePayload_Serialize,
  type TimelineQuery_Deserialize,
} from './bindings';

export type Customer = Customer_Serialize;
export type MyDay = MyDay_Serialize;
export type MyDayItem = MyDayItem_Serialize;
export type { MyDayCounts, MyDaySection, NextStep };
export type Complaint = Complaint_Serialize;
export type ComplaintQuery = ComplaintQuery_Deserialize;
export type ComplaintRow = ComplaintRow_Serialize;
export type LoyaltyEntry = LoyaltyEntry_Serialize;
export type LoyaltyEntryInput = LoyaltyEntryInput_Deserialize;
export type LoyaltyLedger = LoyaltyLedger_Serialize;
export type WorkSettings = WorkSettings_Serialize;
export type WorkSettingsInput = WorkSettingsInput_Deserialize;
export type CustomerInput = CustomerInput_Deserialize;
export type DuplicateDraft = DuplicateDraft_Deserialize;
export type PossibleDuplicate = PossibleDuplicate_Serialize;
export type CustomerPage = CustomerPage_Serialize;
export type CustomerQuery = CustomerQuery_Deserialize;
export type ListStanding = ListStanding_Serialize;
export type SavedView = SavedView_Serialize;
export type BulkAction = BulkAction_Deserialize;
export type { BulkOutcome };
export type Contact = Contact_Serialize;
export type ContactInput = ContactInput_Deserialize;
export type TimelineEntry = TimelineEntry_Serialize;
export type TimelinePage = TimelinePage_Serialize;
export type TimelinePayload = TimelinePayload_Serialize;
export type TimelineQuery = TimelineQuery_Deserialize;
export type OrderInput = OrderInput_Deserialize;
export type InteractionLog = InteractionLog_Deserialize;
export type FollowUp = FollowUp_Serialize;
export type NewFollowUp = NewFollowUp_Deserialize;
export type AgendaQuery = AgendaQuery_Deserialize;
export type AgendaItem = AgendaItem_Serialize;
export type CustomerFollowUps = CustomerFollowUps_Serialize;
export type { AgendaCounts, SnoozeFor };
export type ComplaintInput = ComplaintInput_Deserialize;
export type SurveyResponseInput = SurveyResponseInput_Deserialize;
export type Survey = Survey_Serialize;
export type SurveyInput = SurveyInput_Deserialize;
export type SurveyOverview = SurveyOverview_Serialize;
export type SurveyResults = SurveyResults_Serialize;
export type SurveyDuePage = SurveyDuePage_Serialize;
export type ResultsQuery = ResultsQuery_Deserialize;
export type RecordedAnswer = RecordedAnswer_Serialize;
export type Score = Score_Serialize;
export type ScoreGroup = ScoreGroup_Serialize;
export type ApiError = ErrorPayload_Serialize;
export type FieldError = FieldError_Serialize;
export type ImportOptions = ImportOptions_Deserialize;
export type ImportReport = ImportReport_Serialize;
export type ImportBatch = ImportBatch_Serialize;
export type Preview = Preview_Serialize;
export type RowError = RowError_Serialize;
export type CustomerSelection = { query: CustomerQuery } | { ids: number[] };
export type EvaluationSettings = EvaluationSettings_Serialize;
export type EvaluationSettingsInput = EvaluationSettings_Deserialize;
export type Flow = Flow_Serialize;
export type HistoryEntry = HistoryEntry_Serialize;
export type MemberFilter = MemberFilter_Deserialize;
export type MemberRow = MemberRow_Serialize;
export type Run = EvaluationRun_Serialize;
export type ChartQuery = ChartQuery_Deserialize;
export type Standing = Standing_Serialize;
export type PipelineBoard = PipelineBoard_Serialize;
export type PipelineCard = PipelineCard_Serialize;
export type PipelineMoveInput = PipelineMoveInput_Deserialize;
export type PipelineSummary = PipelineSummary_Serialize;
export type StageSummary = StageSummary_Serialize;
export type { PipelineStage };
export type { Dimension, EvaluationProgress, Trigger };
export type { AppInfo, BackupFile, DemoSummary, ErrorCode, Language, TimelineCursor, TimelineKind };
export type {
  ExportedFile,
  ExportFormat,
  Field,
  ImportKind,
  ImportMode,
  ImportStatus,
  Progress,
  Reason,
  RevertReport,
  TableExport,
};

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

// Every ErrorCode, checked against the generated union in both directions.
const ERROR_CODE_SET = {
  validation: true,
  not_found: true,
  invalid_argument: true,
  conflict: true,
  unreadable_file: true,
  internal: true,
  database_too_new: true,
  database_corrupt: true,
  backup_of_another_database: true,
  no_database: true,
  read_only: true,
  folder_not_writable: true,
  passphrase_required: true,
  wrong_passphrase: true,
  database: true,
  io: true,
} satisfies Record<ErrorCode, true>;

export const ERROR_CODES = Object.keys(ERROR_CODE_SET) as readonly ErrorCode[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message || value.name;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function invalidArgument(reason: string): ApiError {
  return {
    code: 'invalid_argument',
    message: reason,
    details: { fields: [], params: { reason } },
  };
}

function toFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((f) =>
    typeof f.field === 'string' && typeof f.rule === 'string'
      ? [{ field: f.field, rule: f.rule as FieldError['rule'], limit: typeof f.limit === 'number' ? f.limit : null }]
      : [],
  );
}

function toParams(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}

/** Turns whatever a failed call produced into an ErrorPayload. */
export function normaliseError(value: unknown): ApiError {
  if (isRecord(value) && typeof value.code === 'string' && (ERROR_CODES as readonly string[]).includes(value.code)) {
    const details = isRecord(value.details) ? value.details : {};
    return {
      code: value.code as ErrorCode,
      message: typeof value.message === 'string' ? value.message : value.code,
      details: { fields: toFieldErrors(details.fields), params: toParams(details.params) },
    };
  }
  return invalidArgument(describe(value));
}

type Settled<T> = { status: 'ok'; data: T } | { status: 'error'; error: unknown };

async function call<T>(run: () => Promise<Settled<T>>): Promise<Result<T>> {
  try {
    const r = await run();
    return r.status === 'ok' ? { ok: true, data: r.data } : { ok: false, error: normaliseError(r.error) };
  } catch (e) {
    return { ok: false, error: normaliseError(e) };
  }
}

export const api = {
  listCustomers: (query: CustomerQuery) => call(() => commands.listCustomers(query)),
  listSavedViews: () => call(() => commands.listSavedViews()),
  createSavedView: (name: string, query: CustomerQuery) => call(() => commands.createSavedView(name, query)),
  renameSavedView: (id: number, name: string) => call(() => commands.renameSavedView(id, name)),
  deleteSavedView: (id: number) => call(() => commands.deleteSavedView(id)),
  applyBulkAction: (selection: CustomerSelection, action: BulkAction) => call(() => commands.applyBulkAction(selection, action)),
  searchPending: () => call(() => commands.searchPending()),
  getCustomer: (id: number) => call(() => commands.getCustomer(id)),
  createCustomer: (input: CustomerInput) => call(() => commands.createCustomer(input)),
  updateCustomer: (id: number, input: CustomerInput) => call(() => commands.updateCustomer(id, input)),
  findPossibleDuplicates: (draft: DuplicateDraft) => call(() => commands.findPossibleDuplicates(draft)),
  deleteCustomer: (id: number) => call(() => commands.deleteCustomer(id)),
  restoreCustomer: (id: number) => call(() => commands.restoreCustomer(id)),
  getLanguage: () => call(() => commands.getLanguage()),
  setLanguage: (language: Language) => call(() => commands.setLanguage(language)),
  unlockDatabase: (passphrase: string, remember: boolean) => call(() => commands.unlockDatabase(passphrase, remember)),
  appInfo: () =>
    call(async (): Promise<Settled<AppInfo>> => ({ status: 'ok', data: await commands.appInfo() })),
  listContacts: (customerId: number) => call(() => commands.listContacts(customerId)),
  createContact: (input: ContactInput) => call(() => commands.createContact(input)),
  updateContact: (id: number, input: ContactInput) => call(() => commands.updateContact(id, input)),
  deleteContact: (id: number) => call(() => commands.deleteContact(id)),
  customerTimeline: (customerId: number, query: TimelineQuery) =>
    call(() => commands.customerTimeline(customerId, query)),
  createOrder: (input: OrderInput) => call(() => commands.createOrder(input)),
  createInteraction: (input: InteractionLog) => call(() => commands.createInteraction(input)),
  followUpAgenda: (query: AgendaQuery) => call(() => commands.followUpAgenda(query)),
  followUpCounts: (owner: string | null) => call(() => commands.followUpCounts(owner)),
  followUpOwners: () => call(() => commands.followUpOwners()),
  customerFollowUps: (customerId: number) => call(() => commands.customerFollowUps(customerId)),
  scheduleFollowUp: (input: NewFollowUp) => call(() => commands.scheduleFollowUp(input)),
  completeFollowUp: (id: number) => call(() => commands.completeFollowUp(id)),
  reopenFollowUp: (id: number) => call(() => commands.reopenFollowUp(id)),
  snoozeFollowUp: (id: number, by: SnoozeFor) => call(() => commands.snoozeFollowUp(id, by)),
  rescheduleFollowUp: (id: number, dueAt: string) => call(() => commands.rescheduleFollowUp(id, dueAt)),
  createComplaint: (input: ComplaintInput) => call(() => commands.createComplaint(input)),
  listCustomerComplaints: (customerId: number, offset: number, limit: number) =>
    call(() => commands.listCustomerComplaints(customerId, offset, limit)),
  listComplaints: (query: ComplaintQuery) => call(() => commands.listComplaints(query)),
  respondToComplaint: (id: number) => call(() => commands.respondToComplaint(id)),
  startComplaint: (id: number) => call(() => commands.startComplaint(id)),
  resolveComplaint: (id: number, resolution: string) => call(() => commands.resolveComplaint(id, resolution)),
  loyaltyLedger: (customerId: number, offset: number, limit: number) =>
    call(() => commands.loyaltyLedger(customerId, offset, limit)),
  createLoyaltyEntry: (input: LoyaltyEntryInput) => call(() => commands.createLoyaltyEntry(input)),
  workSettings: () => call(() => commands.workSettings()),
  saveWorkSettings: (settings: WorkSettingsInput) => call(() => commands.saveWorkSettings(settings)),
  createSurveyResponse: (input: SurveyResponseInput) => call(() => commands.createSurveyResponse(input)),
  eraseCustomer: (id: number) => call(() => commands.eraseCustomer(id)),
  listBackups: () => call(() => commands.listBackups()),
  createBackup: () => call(() => commands.createBackup()),
  restoreBackup: (fileName: string) => call(() => commands.restoreBackup(fileName)),
  openDemo: () => call(() => commands.openDemo()),
  closeDemo: () => call(() => commands.closeDemo()),
  previewImport: (path: string, options: ImportOptions) => call(() => commands.previewImport(path, options)),
  /** Runs an import; `onProgress` gets every progress message the backend sends while it runs. */
  runImport: (path: string, options: ImportOptions, onProgress: (progress: Progress) => void) =>
    call(() => {
      const channel = new Channel<Progress>();
      channel.onmessage = onProgress;
      return commands.runImport(path, options, channel);
    }),
  listImportBatches: () => call(() => commands.listImportBatches()),
  revertImport: (batchId: number) => call(() => commands.revertImport(batchId)),
  exportCustomers: (selection: CustomerSelection, format: ExportFormat, language: Language, path: string) =>
    call(() => commands.exportCustomers(selection, format, language, path)),
  exportDatabase: (dir: string) => call(() => commands.exportDatabase(dir)),
  evaluationSettings: () => call(() => commands.evaluationSettings()),
  saveEvaluationSettings: (settings: EvaluationSettingsInput) => call(() => commands.saveEvaluationSettings(settings)),
  /** Evaluates every customer at `asOf` (today when null); `onProgress` gets each stage as it runs. */
  runEvaluation: (asOf: string | null, trigger: Trigger, onProgress: (progress: EvaluationProgress) => void) =>
    call(() => {
      const channel = new Channel<EvaluationProgress>();
      channel.onmessage = onProgress;
      return commands.runEvaluation(asOf, trigger, channel);
    }),
  /** Builds the latest run's list rows when a run was stored without them; the run, or null. */
  buildLatestStandings: () => call(() => commands.buildLatestStandings()),
  listEvaluationRuns: () => call(() => commands.listEvaluationRuns()),
  evaluationMembers: (runId: number, filter: MemberFilter, offset: number, limit: number) =>
    call(() => commands.evaluationMembers(runId, filter, offset, limit)),
  customerStanding: (customerId: number) => call(() => commands.customerStanding(customerId)),
  customerEvaluationHistory: (customerId: number) => call(() => commands.customerEvaluationHistory(customerId)),
  evaluationMigration: (fromRun: number, toRun: number, dimension: Dimension) =>
    call(() => commands.evaluationMigration(fromRun, toRun, dimension)),
  exportMembers: (runId: number, filter: MemberFilter, language: Language, path: string) =>
    call(() => commands.exportMembers(runId, filter, language, path)),
  pipelineBoard: (limit: number) => call(() => commands.pipelineBoard(limit)),
  listPipelineStage: (stage: PipelineStage, offset: number, limit: number) =>
    call(() => commands.listPipelineStage(stage, offset, limit)),
  moveProspect: (input: PipelineMoveInput) => call(() => commands.moveProspect(input)),
  listSurveys: () => call(() => commands.listSurveys()),
  createSurvey: (input: SurveyInput) => call(() => commands.createSurvey(input)),
  updateSurvey: (id: number, input: SurveyInput) => call(() => commands.updateSurvey(id, input)),
  recordSurveyAnswer: (input: SurveyResponseInput) => call(() => commands.recordSurveyAnswer(input)),
  surveyResults: (id: number, query: ResultsQuery) => call(() => commands.surveyResults(id, query)),
  surveyDue: (offset: number, limit: number) => call(() => commands.surveyDue(offset, limit)),
  myDay: (owner: string | null, limit: number) => call(() => commands.myDay({ owner, limit })),
  myDaySection: (owner: string | null, section: MyDaySection, offset: number, limit: number) =>
    call(() => commands.myDaySection({ owner, section, offset, limit })),
  myDayCounts: (owner: string | null) => call(() => commands.myDayCounts(owner)),
  myDayOwners: () => call(() => commands.myDayOwners()),
  listCharts: (query: ChartQuery) => call(() => commands.listCharts(query)),
  chartSvg: (query: ChartQuery, chart: Chart, language: Language) => call(() => commands.chartSvg(query, chart, language)),
  saveChart: (query: ChartQuery, chart: Chart, language: Language, format: ChartFileFormat, scale: number, path: string) =>
    call(() => commands.saveChart(query, chart, language, format, scale, path)),
  exportChartReport: (query: ChartQuery, language: Language, dir: string) =>
    call(() => commands.exportChartReport(query, language, dir)),
  defaultExportDir: () =>
    call(async (): Promise<Settled<string>> => ({ status: 'ok', data: await commands.defaultExportDir() })),
};
