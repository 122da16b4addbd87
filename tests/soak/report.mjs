// SOAK.md: the last run's figures, written by `make soak` as `make bench`
// writes BENCH.md.
import { writeFileSync } from 'node:fs';
import { INVARIANTS } from './invariants.mjs';
import { FAULTS } from './faults.mjs';
import { FLAT_LIMIT } from './memory.mjs';

const mb = (bytes) => (bytes === null || bytes === undefined ? '–' : `${(bytes / 1024 / 1024).toFixed(2)} MB`);

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
    'through WebDriver). Not part of `make test`.',
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
    `| inbox comparisons with the sandbox | ${figures.inboxChecks} |`,
    `| conversation views checked | ${conversationViews === 0 ? 'none (panel.conversation does not exist yet)' : conversationViews} |`,
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
    '## Faults in order',
    '',
    '| # | at | kind | what |',
    '|---|---|---|---|',
    ...faults.map((f) => `| ${f.n} | ${f.at} | ${FAULTS[f.kind].label} | ${f.what.replace(/\|/g, '\\|')} |`),
    '',
  ];
  writeFileSync(path, lines.join('\n'));
}
