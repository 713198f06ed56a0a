import { LINT_RULES, lintRuleScope, isLintSeverity, SERVICE_LINT_RULES, type LintRuleScope, type LintSeverity } from '../graph/lint-rule-catalog';
import { describe } from '../schemas/common';

/**
 * Checks a construct's `lintRules` (rule id -> severity) for rules of `scope`. Problems are
 * relative to the field (`lintRules: ...`, `lintRules.<rule>: ...`); the caller adds the
 * construct path. A rule of the other scope is refused with where it belongs, since it would
 * otherwise be silently ignored.
 */
export function checkLintRules(value: unknown, scope: LintRuleScope): { settings: Record<string, LintSeverity>; problems: string[] } {
  const settings: Record<string, LintSeverity> = {};
  const problems: string[] = [];
  if (value === undefined) return { settings, problems };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { settings, problems: [`lintRules: expected an object of rule ids and severities, got ${describe(value)}`] };
  }
  const own = Object.keys(scope === 'image' ? LINT_RULES : SERVICE_LINT_RULES);
  for (const [rule, severity] of Object.entries(value as Record<string, unknown>)) {
    const ruleScope = lintRuleScope(rule);
    if (ruleScope === undefined) {
      problems.push(`lintRules: no lint rule is called "${rule}" (rules: ${own.join(', ')})`);
    } else if (ruleScope !== scope) {
      problems.push(ruleScope === 'service'
        ? `lintRules: "${rule}" is checked on services, not images; set it in the Service's lintRules (or the stack's defaults.lintRules)`
        : `lintRules: "${rule}" is checked on the image's Dockerfile; set it in the image's lintRules (the options of Image.fromDockerfile or Image.fromBuildSteps)`);
    } else if (!isLintSeverity(severity)) {
      problems.push(`lintRules.${rule}: ${describe(severity)} is not a severity (error, warning, info or off)`);
    } else {
      settings[rule] = severity;
    }
  }
  return { settings, problems };
}
