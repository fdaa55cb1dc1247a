import { formatObjectRef } from '../model/provenance.js';
import type { Finding } from '../rules/types.js';

/**
 * What groups findings under one workload in a report: its identity and the file it was written in, so
 * that one application in two environments (the same kind, namespace and name) gets two headings.
 */
export function workloadKey(finding: Finding): string {
  const file = finding.workload.source?.file;
  return file === undefined
    ? formatObjectRef(finding.workload)
    : `${formatObjectRef(finding.workload)}\u0000${file}`;
}
