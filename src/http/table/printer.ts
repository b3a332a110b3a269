import type { ColumnDefinition } from './columns.ts';

/** metav1.TableRowCondition (only "Completed" is defined upstream). */
export interface RowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/**
 * One kind's printer: its columns and, per object, the cells in column order (the apiserver always prints
 * the wide columns; kubectl hides priority-1 ones unless `-o wide`).
 */
export interface Printer {
  columns: readonly ColumnDefinition[];
  // The objects are decoded JSON of the printer's kind; printers read them defensively.
  cells(obj: any, now: number): unknown[];
  conditions?(obj: any): RowCondition[] | undefined;
}
