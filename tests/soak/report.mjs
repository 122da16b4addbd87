// SOAK.md: the last run's figures, written by `make soak` as `make bench`
// writes BENCH.md.
import { writeFileSync } from 'node:fs';
import { INVARIANTS } from './invariants.mjs';
import { FAULTS } from './faults.mjs';
import { FLAT_LIMIT } from './memory.mjs';

const mb = (bytes) => (bytes === null || bytes === undefined ? '–' : `${(bytes / 1024 / 1024).toFixed(2)} MB`);

/**
 * Violations told apart by invariant, tab and kind of break (the detail
 * without its numbers and ids), first of each, at most 20.
 */
function distinct(violations) {
  const seen = new Set();
  const out = [];
  for (const v of violations) {
    const key = `${v.invariant} ${v.detail.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID').replace(/\d+/g, 'N').slice(0, 60)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out.slice(0, 20);
}

export function writeReport(path, run) {
  const { config, verdicts, figures, faults, memory, started, ended, published, conversationViews } = run;
  const byKind = Object.keys(FAULTS).map((k) => [FAULTS[k].label, faults.filter((f) => f.kind === k).length]);
  const lines = [
    '# Soak',
    '',
    'Written by `make soak` (tests/soak/): for each browser, 3 tabs of one operator',
    'sharing one connection, each tab with `panel.inbox` and a visitor `ChatWidget`',
    '(Engine.IO 4 and 3 alternately), against the sandbox with simulated visitors and',
    'a numbered stream (5 a second per operator), under faults drawn at random from a',
    'seed. Replay a run with `SOAK_SEED=<seed> SOAK_MINUTES=<minutes> make soak`;',
    '`SOAK_BROWSERS=chromium,firefox` adds Firefox ESR (another operator, driven',
    'through WebDriver: it takes the sandbox\'s faults and leader closes like Chromium, but',
    'not the debugger pause or offline, and reports wasm memory only). Not part of',
    '`make test`. What a run found is reproduced, and skipped until fixed, in',
    '`tests/faults/soak-findings.test.mjs`.',
    '',
    `## Last run: ${verdicts.ok ? 'passed' : 'FAILED'}`,
    '',
    '| | |',
    '|---|---|',
    `| minutes | ${config.minutes} (ran ${((ended - started) / 60_000).toFixed(1)}, the final checks included) |`,
    `| seed | ${config.seed} |`,
    `| browsers | ${config.browsers.join(', ')} |`,
    `| faults | ${faults.length} |`,
    `| numbered publications | ${published.join(' + ')} |`,
    `| events received by the tabs (numbered and chat messages, all tabs) | ${figures.events} |`,
    `| events received by the widgets | ${figures.widgetEvents} |`,
    `| failovers (a tab took the lead after the first leader) | ${figures.failovers} |`,
    `| resyncs (all tabs) | ${figures.resyncs} |`,
    `| token refreshes (sandbox: pairs issued / refresh calls) | ${figures.refreshes} / ${figures.refreshRequests} |`,
    `| tabs opened | ${figures.tabsOpened} |`,
    `| visitor messages / operator replies checked | ${figures.visitorMessages} / ${figures.replies} |`,
    `| replies written while the sandbox swallowed every frame (silent server), so never delivered: not counted against the widget | ${figures.repliesSwallowed} |`,
    `| replies written while the widget's socket was down, never delivered, and covered by the widget's \`resync\` | ${figures.repliesMissedWithResync ?? 0} |`,
    `| inbox comparisons with the sandbox | ${figures.inboxChecks} |`,
    `| Firefox's console lines for reset or refused WebSockets ("…was interrupted while the page was loading."): the browser's network notices, counted and not judged as page errors | ${figures.networkNotices ?? 0} |`,
    `| conversation views checked (tabs of the session's operator) | ${conversationViews} |`,
    '',
    '## Faults by kind',
    '',
    '| kind | count |',
    '|---|---|',
    ...byKind.map(([label, n]) => `| ${label} | ${n} |`),
    '',
    '## Memory at each third',
    '',
    `Mean of the samples taken at quiet points in each third of the run, summed over the live tabs; flat when the last third is within ${Math.round((FLAT_LIMIT - 1) * 100)}% of the first.`,
    '',
    '| series | first third | second third | last third | last / first |',
    '|---|---|---|---|---|',
    ...memory.map((s) => `| ${s.name} | ${mb(s.means[0])} | ${mb(s.means[1])} | ${mb(s.means[2])} | ${s.ratio === null ? '–' : s.ratio.toFixed(3)}${s.flat ? '' : ' (not flat)'} |`),
    '',
    '## Invariants',
    '',
    '| invariant | violations | first |',
    '|---|---|---|',
    ...Object.entries(INVARIANTS).map(([k, text]) => {
      const all = verdicts.violations.filter((v) => v.invariant === k);
      return `| ${text} | ${all.length} | ${all.length ? `${all[0].at}: ${all[0].detail.replace(/\|/g, '\\|')}` : ''} |`;
    }),
    '',
    '## Violations',
    '',
    verdicts.ok ? 'None.' : `${verdicts.violations.length} in all; the first of each kind of break (a repeated break of the same kind in the same tab is listed once):`,
    '',
    ...distinct(verdicts.violations).map((v) => `- ${v.at}${v.fault ? ` (fault #${v.fault.n}, ${FAULTS[v.fault.kind].label})` : ''}, ${v.invariant}: ${v.detail}`),
    '',
    '## Faults in order',
    '',
    '| # | at | kind | what |',
    '|---|---|---|---|',
    ...faults.map((f) => `| ${f.n} | ${f.at} | ${FAULTS[f.kind].label} | ${f.what.replace(/\|/g, '\\|')} |`),
    '',
  ];
  writeFileSync(path, lines.join('\n'));
}
