import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { CalendarYear } from '../../server/src/sharing/workdays.ts';
import {
  CalendarError,
  DEFAULT_CALENDAR_DIR,
  WorkCalendar,
  loadCalendarDir,
  parseCalendarYear,
  readCalendarFile,
  shanghaiDate,
} from '../../server/src/sharing/workdays.ts';

const SHIPPED = join(DEFAULT_CALENDAR_DIR, 'cn-2026.json');
const cal2026 = (): WorkCalendar => loadCalendarDir();

describe('workdays: the shipped 2026 calendar', () => {
  it('is the State Council 2026 schedule from shared/standards, unchanged', () => {
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8'));
    expect(shipped.year).to.equal(2026);
    expect(shipped.holidays).to.have.length(33);
    expect(shipped.workdays.map((w: { date: string }) => w.date)).to.deep.equal([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    const cal = cal2026();
    expect(cal.years()).to.deep.equal([2026]);
    expect(cal.coverage(2026)).to.deep.include({ year: 2026, covered: true });
    expect(cal.coverage(2026).source).to.contain('国务院办公厅');
  });

  it('元旦: 1–3 January off; Sunday 4 January is a 调休 working day', () => {
    const cal = cal2026();
    expect(cal.isWorkday('2026-01-01')).to.equal(false); // Thursday, 元旦
    expect(cal.isWorkday('2026-01-02')).to.equal(false); // Friday, 元旦
    expect(cal.isWorkday('2026-01-03')).to.equal(false); // Saturday
    expect(cal.isWorkday('2026-01-04')).to.equal(true); // Sunday, 元旦调休上班
    expect(cal.dayInfo('2026-01-04')).to.deep.equal({ date: '2026-01-04', workday: true, kind: 'adjusted-workday', name: '元旦调休上班', covered: true });
    expect(cal.dayInfo('2026-01-01')).to.deep.include({ kind: 'holiday', name: '元旦' });
    expect(cal.isWorkday('2026-01-05')).to.equal(true); // Monday
    expect(cal.dayInfo('2026-01-10')).to.deep.include({ workday: false, kind: 'weekend' }); // ordinary Saturday
  });

  it('春节 15–23 February off, Saturdays 14 and 28 February worked', () => {
    const cal = cal2026();
    expect(cal.isWorkday('2026-02-13')).to.equal(true);
    expect(cal.isWorkday('2026-02-14')).to.equal(true);
    for (let d = 15; d <= 23; d++) expect(cal.isWorkday(`2026-02-${d}`), `02-${d}`).to.equal(false);
    expect(cal.isWorkday('2026-02-24')).to.equal(true);
    expect(cal.isWorkday('2026-02-28')).to.equal(true);
    expect(cal.isWorkday('2026-03-01')).to.equal(false);
  });

  it('other holidays and 调休 days of 2026', () => {
    const cal = cal2026();
    expect(cal.isWorkday('2026-04-06')).to.equal(false); // 清明 Monday
    expect(cal.isWorkday('2026-05-04')).to.equal(false); // 劳动节 Monday
    expect(cal.isWorkday('2026-05-05')).to.equal(false);
    expect(cal.isWorkday('2026-05-09')).to.equal(true); // Saturday 调休
    expect(cal.isWorkday('2026-06-19')).to.equal(false); // 端午 Friday
    expect(cal.isWorkday('2026-09-20')).to.equal(true); // Sunday 调休
    expect(cal.isWorkday('2026-09-25')).to.equal(false); // 中秋 Friday
    for (let d = 1; d <= 7; d++) expect(cal.isWorkday(`2026-10-0${d}`), `10-0${d}`).to.equal(false);
    expect(cal.isWorkday('2026-10-08')).to.equal(true);
    expect(cal.isWorkday('2026-10-10')).to.equal(true); // Saturday 调休
    expect(cal.isWorkday('2026-10-11')).to.equal(false);
  });

  it('2026 has 248 working days (261 weekdays − 19 weekday holidays + 6 调休 days)', () => {
    expect(cal2026().workdaysBetween('2025-12-31', '2026-12-31')).to.equal(248);
  });
});

describe('workdays: deadlines (start day does not count; ends 24:00 Asia/Shanghai)', () => {
  it('5 working days across 春节 and the 调休 Saturday', () => {
    const cal = cal2026();
    // submitted Thursday 12 Feb, 10:00 Shanghai: Fri 13 (1), Sat 14 调休 (2), Tue 24 (3), Wed 25 (4), Thu 26 (5)
    const start = new Date('2026-02-12T10:00:00+08:00');
    expect(cal.addWorkdaysToDate(start, 5)).to.equal('2026-02-26');
    const deadline = cal.addWorkdays(start, 5);
    expect(deadline.toISOString()).to.equal('2026-02-26T16:00:00.000Z'); // 2026-02-27T00:00+08:00
    expect(cal.isOverdue(start, 5, new Date('2026-02-26T23:59:59+08:00'))).to.equal(false);
    expect(cal.isOverdue(start, 5, new Date('2026-02-27T00:00:00+08:00'))).to.equal(true);
    expect(cal.workdaysBetween(start, '2026-02-26')).to.equal(5);
  });

  it('2-day compliance check on the eve of 春节', () => {
    const cal = cal2026();
    expect(cal.addWorkdaysToDate('2026-02-13', 1)).to.equal('2026-02-14'); // the 调休 Saturday
    expect(cal.addWorkdaysToDate('2026-02-13', 2)).to.equal('2026-02-24');
    expect(cal.addWorkdaysToDate('2026-02-14', 1)).to.equal('2026-02-24'); // submitted on the 调休 Saturday itself
    expect(cal.addWorkdaysToDate('2026-02-25', 3)).to.equal('2026-02-28'); // ends on the second 调休 Saturday
    expect(cal.addWorkdaysToDate('2026-02-15', 1)).to.equal('2026-02-24'); // submitted during the holiday
  });

  it('国庆: the 7-day holiday and the 调休 days on either side', () => {
    const cal = cal2026();
    expect(cal.addWorkdaysToDate('2026-09-18', 1)).to.equal('2026-09-20'); // Sunday 调休 before 中秋/国庆
    expect(cal.addWorkdaysToDate('2026-09-24', 2)).to.equal('2026-09-29'); // 中秋 25–27 skipped
    expect(cal.addWorkdaysToDate('2026-09-30', 1)).to.equal('2026-10-08');
    expect(cal.addWorkdaysToDate('2026-09-30', 3)).to.equal('2026-10-10'); // Saturday 调休
    expect(cal.addWorkdaysToDate('2026-09-30', 5)).to.equal('2026-10-13');
    expect(cal.addWorkdays('2026-09-30', 5).toISOString()).to.equal('2026-10-13T16:00:00.000Z');
    expect(cal.workdaysBetween('2026-09-30', '2026-10-13')).to.equal(5);
  });

  it('the start instant is read in Asia/Shanghai', () => {
    const cal = cal2026();
    expect(shanghaiDate(new Date('2026-02-13T15:59:59Z'))).to.equal('2026-02-13');
    expect(shanghaiDate(new Date('2026-02-13T16:00:00Z'))).to.equal('2026-02-14');
    // Friday 23:59:59 in Shanghai: the next working day is the 调休 Saturday
    expect(cal.addWorkdaysToDate(new Date('2026-02-13T15:59:59Z'), 1)).to.equal('2026-02-14');
    // already Saturday 00:00 in Shanghai (still Friday in UTC): the Saturday does not count
    expect(cal.addWorkdaysToDate(new Date('2026-02-13T16:00:00Z'), 1)).to.equal('2026-02-24');
    expect(cal.addWorkdaysToDate('2026-02-13T16:00:00Z', 1)).to.equal('2026-02-24');
    expect(cal.isWorkday(new Date('2026-01-03T16:30:00Z'))).to.equal(true); // Sunday 4 Jan 00:30 Shanghai
  });

  it('n = 0 ends with the start day; negative or fractional n is refused', () => {
    const cal = cal2026();
    expect(cal.addWorkdaysToDate('2026-02-15', 0)).to.equal('2026-02-15');
    expect(cal.addWorkdays('2026-02-15', 0).toISOString()).to.equal('2026-02-15T16:00:00.000Z');
    expect(() => cal.addWorkdays('2026-02-15', -1)).to.throw(RangeError);
    expect(() => cal.addWorkdays('2026-02-15', 1.5)).to.throw(RangeError);
  });

  it('workdaysBetween: February 2026, reversed and same-day', () => {
    const cal = cal2026();
    expect(cal.workdaysBetween('2026-01-31', '2026-02-28')).to.equal(16);
    expect(cal.workdaysBetween('2026-02-26', '2026-02-12')).to.equal(-5);
    expect(cal.workdaysBetween('2026-02-12', '2026-02-12')).to.equal(0);
    expect(cal.workdaysBetween('2026-02-14', '2026-02-23')).to.equal(0); // whole 春节 holiday
  });

  it('addWorkdaysToDate and workdaysBetween agree for every start day of 2026', () => {
    const cal = cal2026();
    for (let i = 0; i < 365; i++) {
      const start = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
      for (const n of [1, 2, 5, 10]) {
        const end = cal.addWorkdaysToDate(start, n);
        expect(cal.isWorkday(end), `${start}+${n}=${end}`).to.equal(true);
        expect(cal.workdaysBetween(start, end), `${start}+${n}`).to.equal(n);
      }
    }
  });

  it('rejects things that are not dates', () => {
    const cal = cal2026();
    expect(() => cal.isWorkday('2026-02-30')).to.throw(CalendarError);
    expect(() => cal.isWorkday('tomorrow')).to.throw(CalendarError);
    expect(() => cal.isWorkday(new Date('x'))).to.throw(CalendarError);
  });
});

describe('workdays: years without a calendar file', () => {
  it('fall back to Monday–Friday and report it', () => {
    const reported: number[] = [];
    const cal = loadCalendarDir(DEFAULT_CALENDAR_DIR, { onFallback: (y) => reported.push(y) });
    expect(cal.coverage(2027)).to.deep.equal({ year: 2027, covered: false });
    expect(cal.fallbackYearsUsed()).to.deep.equal([]);
    expect(cal.isWorkday('2027-01-01')).to.equal(true); // a Friday; unknown holiday, so Mon–Fri
    expect(cal.dayInfo('2027-01-02')).to.deep.equal({ date: '2027-01-02', workday: false, kind: 'weekend', covered: false });
    expect(cal.fallbackYearsUsed()).to.deep.equal([2027]);
    expect(reported).to.deep.equal([2027]); // once per year
  });

  it('a deadline across the year end uses the fallback for the uncovered year', () => {
    const reported: number[] = [];
    const cal = loadCalendarDir(DEFAULT_CALENDAR_DIR, { onFallback: (y) => reported.push(y) });
    // Thu 31 Dec (1), Fri 1 Jan 2027 (2, fallback), Mon 4 Jan 2027 (3)
    expect(cal.addWorkdaysToDate('2026-12-30', 3)).to.equal('2027-01-04');
    expect(reported).to.deep.equal([2027]);
  });

  it('an empty calendar is Monday–Friday everywhere', () => {
    const cal = new WorkCalendar();
    expect(cal.years()).to.deep.equal([]);
    expect(cal.isWorkday('2026-01-01')).to.equal(true);
    expect(cal.isWorkday('2026-01-04')).to.equal(false);
  });
});

describe('workdays: loading calendar files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'odx-cal-'));
    copyFileSync(SHIPPED, join(dir, 'cn-2026.json'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, data: unknown) => writeFileSync(join(dir, name), typeof data === 'string' ? data : JSON.stringify(data));
  // A made-up 2027 file (NOT the real schedule): only the shape matters here.
  const fake2027: CalendarYear = {
    year: 2027,
    source: 'test fixture, not an official schedule',
    holidays: [{ date: '2027-01-01', name: '元旦' }],
    workdays: [{ date: '2027-01-02', name: '元旦调休上班' }],
  };

  it('a new year file dropped into the directory is used without a code change', () => {
    expect(loadCalendarDir(dir).coverage(2027).covered).to.equal(false);
    write('cn-2027.json', fake2027);
    const cal = loadCalendarDir(dir);
    expect(cal.years()).to.deep.equal([2026, 2027]);
    expect(cal.isWorkday('2027-01-01')).to.equal(false);
    expect(cal.isWorkday('2027-01-02')).to.equal(true);
    expect(cal.coverage(2027)).to.deep.equal({ year: 2027, covered: true, source: 'test fixture, not an official schedule' });
    expect(cal.addWorkdaysToDate('2026-12-30', 3)).to.equal('2027-01-04'); // 31 Dec, Sat 2 Jan, Mon 4 Jan
  });

  it('ignores files that are not cn-*.json', () => {
    write('README.txt', 'not a calendar');
    write('us-2027.json', fake2027);
    expect(loadCalendarDir(dir).years()).to.deep.equal([2026]);
  });

  const bad = (data: unknown, pattern: RegExp, name = 'cn-2027.json') => {
    write(name, data);
    expect(() => loadCalendarDir(dir)).to.throw(CalendarError, pattern);
  };

  it('a malformed file gives an error naming the file and the bad entry', () => {
    bad({ ...fake2027, holidays: [fake2027.holidays[0], { date: '2027-02-30', name: '春节' }] }, /cn-2027\.json: holidays\[1\] \{"date":"2027-02-30","name":"春节"\}: not a real date/);
    bad({ ...fake2027, holidays: [{ date: '2027/02/06', name: '春节' }] }, /cn-2027\.json: holidays\[0\] .*2027\/02\/06.*YYYY-MM-DD/);
    bad({ ...fake2027, workdays: [{ date: '2027-01-04', name: '' }] }, /workdays\[0\] .*non-empty name/);
    bad({ ...fake2027, workdays: [{ date: '2027-01-05', name: '调休' }] }, /workdays\[0\] .*Saturday or Sunday.*2027-01-05 is a weekday/);
    bad({ ...fake2027, workdays: [{ date: '2027-01-01', name: '元旦' }] }, /workdays\[0\] .*already listed in holidays\[0\]/);
    bad({ ...fake2027, holidays: [{ date: '2028-06-01', name: 'x' }] }, /holidays\[0\] .*outside the year 2027/);
    bad({ ...fake2027, year: '2027' }, /cn-2027\.json: year: /);
    bad({ year: 2027, holidays: [] }, /cn-2027\.json: workdays: /);
    bad('{ not json', /cn-2027\.json: cannot read calendar JSON/);
    rmSync(join(dir, 'cn-2027.json'));
    bad(fake2027, /cn-2028\.json: file name says 2028 but the file is for year 2027/, 'cn-2028.json');
  });

  it('the same year twice is refused', () => {
    write('cn-2026-revised.json', JSON.parse(readFileSync(SHIPPED, 'utf8')));
    expect(() => loadCalendarDir(dir)).to.throw(CalendarError, /2026 is loaded twice/);
  });

  it('a schedule may reach into the neighbouring year (e.g. 2011-12-31 worked for 元旦 2012)', () => {
    const y2012 = parseCalendarYear({
      year: 2012,
      holidays: [
        { date: '2012-01-01', name: '元旦' },
        { date: '2012-01-02', name: '元旦' },
        { date: '2012-01-03', name: '元旦' },
      ],
      workdays: [{ date: '2011-12-31', name: '元旦调休上班' }],
    });
    const cal = new WorkCalendar([y2012]);
    expect(cal.isWorkday('2011-12-31')).to.equal(true);
    expect(cal.dayInfo('2011-12-31').covered).to.equal(false); // 2011 itself has no file
    expect(cal.addWorkdaysToDate('2011-12-30', 1)).to.equal('2011-12-31');
    expect(cal.addWorkdaysToDate('2011-12-31', 1)).to.equal('2012-01-04');
  });

  it('readCalendarFile validates one file', () => {
    expect(readCalendarFile(SHIPPED).year).to.equal(2026);
    expect(WorkCalendar.fromFiles([SHIPPED]).isWorkday('2026-10-10')).to.equal(true);
  });
});
