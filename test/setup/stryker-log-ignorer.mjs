// Stryker ignorer (stryker.config.mjs `ignorers: ['log-lines']`): no mutant in a statement that only
// writes a log line (`this.logger.warn({...})`, `this.logger[level]({...})`). Unit tests assert on
// behaviour, not on log lines (test/setup/quiet-logger.ts silences them), so a changed log message
// would always survive and only blur the score of the decisions around it. Which level a line gets is
// not ignored when it is decided in a statement of its own (the saga's NEEDS_ATTENTION error line).
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** `this.logger` or `logger`: the receiver a Nest Logger lives in, in this code base. */
function isLogger(node) {
  if (node.type === 'Identifier') return node.name === 'logger';
  return (
    node.type === 'MemberExpression' &&
    node.object.type === 'ThisExpression' &&
    node.property.type === 'Identifier' &&
    node.property.name === 'logger'
  );
}

class LogLineIgnorer {
  shouldIgnore(path) {
    if (!path.isExpressionStatement()) return undefined;
    const call = path.node.expression;
    if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return undefined;
    return isLogger(call.callee.object) ? 'A log line: unit tests assert on behaviour, not on log lines (quiet-logger.ts).' : undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'log-lines', LogLineIgnorer)];
