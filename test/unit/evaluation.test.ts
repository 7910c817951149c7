import { expect } from 'chai';
import { evaluate } from '../../server/src/governance/evaluation.ts';
import type { DepartmentIndicators } from '../../server/src/governance/indicators.ts';
import { DEFAULT_SETTINGS_FILE, loadSettings, parseSettings, SettingsError } from '../../server/src/governance/settings.ts';
import { readFileSync } from 'node:fs';

/** A department whose only figures are a link rate and a quality score. */
function dept(id: number, linkRate: number | null, score: number | null): DepartmentIndicators {
  return { department: { id, name: `部门${id}` }, census: { linkRate }, quality: { score } } as unknown as DepartmentIndicators;
}

describe('evaluation (考核评价)', () => {
  const settings = { version: 1, graceDays: 3, weights: { 'census.linkRate': 1, 'quality.score': 3 } };

  it('weighs shares on a 0–100 scale, leaves out what a department has nothing to measure on, and ranks 1, 1, 3', () => {
    const rows = evaluate([dept(1, 0.5, 90), dept(2, 1, 70), dept(3, null, 75), dept(4, 0.9, 60), dept(5, null, null)], settings);
    // 1: (50 + 270) / 4 = 80; 2: (100 + 210) / 4 = 77.5; 3: only quality = 75; 4: (90 + 180) / 4 = 67.5
    expect(rows.map((r) => [r.department.id, r.score, r.rank])).to.deep.equal([[1, 80, 1], [2, 77.5, 2], [3, 75, 3], [4, 67.5, 4], [5, null, null]]);
    const tied = evaluate([dept(1, 0.5, 50), dept(2, 0.5, 50), dept(3, 0.1, 10)], settings);
    expect(tied.map((r) => r.rank)).to.deep.equal([1, 1, 3]);
  });

  it('accepts the shipped weights file and refuses unknown indicators and all-zero weights, naming the path', () => {
    expect(loadSettings('/nonexistent-odx-home')).to.deep.equal(JSON.parse(readFileSync(DEFAULT_SETTINGS_FILE, 'utf8')));
    expect(() => parseSettings({ version: 1, graceDays: 3, weights: { 'sharing.everything': 1 } }, 'w.json')).to.throw(SettingsError, /w\.json.*\/weights.*sharing\.everything/);
    expect(() => parseSettings({ version: 1, graceDays: 3, weights: { 'quality.score': 0 } }, 'w.json')).to.throw(SettingsError, /至少一项权重须大于 0/);
    expect(() => parseSettings({ version: 1, weights: { 'quality.score': 1 } }, 'w.json')).to.throw(SettingsError, /graceDays/);
  });
});
