/**
 * The per-resource answers AlterConfigs and IncrementalAlterConfigs share: one entry per
 * resource of the request, in order, with its type and name.
 */
export interface ConfigResourceRef {
  resourceType: number;
  resourceName: string;
}

export interface ConfigResourceAnswer extends ConfigResourceRef {
  errorCode: number;
  errorMessage: string | null;
}

export function resourceAnswers(
  resources: readonly ConfigResourceRef[],
  outcomes: readonly { errorCode: number; errorMessage: string | null }[],
): ConfigResourceAnswer[] {
  return outcomes.map((o, i) => ({
    errorCode: o.errorCode,
    errorMessage: o.errorMessage,
    resourceType: resources[i]!.resourceType,
    resourceName: resources[i]!.resourceName,
  }));
}

export function resourceErrors(resources: readonly ConfigResourceRef[], errorCode: number): ConfigResourceAnswer[] {
  return resources.map((r) => ({
    errorCode,
    errorMessage: null,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
  }));
}
