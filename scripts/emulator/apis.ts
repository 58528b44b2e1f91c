/** The Textract operations the emulator speaks; each has its own quota bucket and stats, as on AWS. */
export type ApiName = 'DetectDocumentText' | 'AnalyzeDocument' | 'AnalyzeExpense' | 'AnalyzeID';

export const API_NAMES: readonly ApiName[] = ['DetectDocumentText', 'AnalyzeDocument', 'AnalyzeExpense', 'AnalyzeID'];
