import { Table } from "antd";
import { useEffect, useMemo, useRef } from "react";
import { useI18n } from "../../i18n/i18n.tsx";
import type { MessageKey } from "../../i18n/messages.ts";
import type { EvaluationReport as Report, EvaluationRow } from "./api.ts";
import { BarChart } from "./BarChart.tsx";
import "./evaluation.css";

/** What each weighted indicator added to a department's score: its weight's share of the weights counted, times its value. */
export function contributions(row: EvaluationRow): (number | null)[] {
  const total = row.parts.reduce(
    (s, p) => s + (p.value !== null && p.weight > 0 ? p.weight : 0),
    0,
  );
  return row.parts.map((p) =>
    p.value === null || total === 0
      ? null
      : Math.round(((p.weight * p.value) / total) * 100) / 100,
  );
}

/**
 * The month's evaluation as a report: the ranking (chart and table) and each department's scores
 * by indicator (how they make up the score, chart and table). The same component is the console's
 * page and the printable page the server prints to PDF; `onReady` fires once both charts are drawn.
 */
export function EvaluationReport({
  report,
  onReady,
}: {
  report: Report;
  onReady?: () => void;
}) {
  const { t, number } = useI18n();
  const indicators =
    report.items[0]?.parts.map((p) => ({
      key: p.indicator,
      weight: p.weight,
    })) ?? [];
  const label = (key: string) =>
    t(`evaluation.indicator.${key}` as MessageKey) || key;
  const ranked = report.items.filter((r) => r.score !== null);
  const names = useMemo(
    () => report.items.map((r) => r.department.name),
    [report],
  );
  const scores = useMemo(
    () => [
      { name: t("evaluation.score"), values: report.items.map((r) => r.score) },
    ],
    [report, t],
  );
  const parts = useMemo(
    () =>
      indicators.map((ind, i) => ({
        name: label(ind.key),
        values: report.items.map((r) => contributions(r)[i]),
      })),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the report decides everything
    [report, t],
  );
  // both charts drawn: the printable page may be printed
  const drawn = useRef(new Set<string>());
  const mark = (name: string) => () => {
    drawn.current.add(name);
    if (drawn.current.size === 2) onReady?.();
  };
  useEffect(() => {
    if (report.items.length === 0) onReady?.();
  }, [report, onReady]);
  const fmt = (v: number | null) => (v === null ? "—" : number(v));
  const mean = ranked.length
    ? ranked.reduce((s, r) => s + r.score!, 0) / ranked.length
    : null;

  return (
    <article className="evaluation-report">
      <h1 className="page-title">
        {t("evaluation.title", { month: report.month })}
      </h1>
      <p>{t("evaluation.lead", { version: report.settingsVersion })}</p>
      {report.items.length === 0 ? (
        <p>{t("evaluation.empty")}</p>
      ) : (
        <>
          {mean !== null && (
            <p className="evaluation-summary">
              {t("evaluation.summary", {
                n: ranked.length,
                mean: number(Math.round(mean * 100) / 100),
                max: number(ranked[0].score!),
                min: number(ranked[ranked.length - 1].score!),
              })}
            </p>
          )}
          <section
            className="evaluation-section"
            aria-labelledby="evaluation-scores"
          >
            <h2 id="evaluation-scores">{t("evaluation.scoresChart")}</h2>
            <BarChart
              title={t("evaluation.scoresChart")}
              categories={names}
              series={scores}
              onDrawn={mark("scores")}
            />
            <Table
              className="evaluation-table"
              size="small"
              rowKey={(r) => r.department.id}
              pagination={false}
              caption={
                <span className="visually-hidden">
                  {t("evaluation.scoresChart")}
                </span>
              }
              dataSource={report.items}
              columns={[
                {
                  key: "rank",
                  title: t("evaluation.rank"),
                  width: 110,
                  render: (_: unknown, r: EvaluationRow) =>
                    r.rank ?? t("evaluation.unranked"),
                },
                {
                  key: "department",
                  title: t("evaluation.department"),
                  render: (_: unknown, r: EvaluationRow) => r.department.name,
                },
                {
                  key: "score",
                  title: t("evaluation.score"),
                  align: "right",
                  width: 90,
                  render: (_: unknown, r: EvaluationRow) => fmt(r.score),
                },
              ]}
            />
          </section>
          <section
            className="evaluation-section evaluation-breakdown"
            aria-labelledby="evaluation-parts"
          >
            <h2 id="evaluation-parts">{t("evaluation.breakdown")}</h2>
            <BarChart
              title={t("evaluation.partsChart")}
              categories={names}
              series={parts}
              stacked
              onDrawn={mark("parts")}
            />
            {/* on a phone the breakdown scrolls sideways: a region a keyboard can reach */}
            <div
              className="table-scroll"
              tabIndex={0}
              role="region"
              aria-label={t("evaluation.breakdown")}
            >
              <Table
                className="evaluation-table"
                size="small"
                rowKey={(r) => r.department.id}
                pagination={false}
                caption={
                  <span className="visually-hidden">
                    {t("evaluation.breakdown")}
                  </span>
                }
                dataSource={report.items}
                columns={[
                  {
                    key: "department",
                    title: t("evaluation.department"),
                    render: (_: unknown, r: EvaluationRow) => r.department.name,
                  },
                  ...indicators.map((ind, i) => ({
                    key: ind.key,
                    align: "right" as const,
                    title: (
                      <>
                        {label(ind.key)}
                        <br />
                        <small>
                          {t("evaluation.weight", { w: ind.weight })}
                        </small>
                      </>
                    ),
                    render: (_: unknown, r: EvaluationRow) =>
                      r.parts[i].value === null
                        ? t("evaluation.notCounted")
                        : number(r.parts[i].value!),
                  })),
                  {
                    key: "score",
                    title: t("evaluation.score"),
                    align: "right" as const,
                    render: (_: unknown, r: EvaluationRow) => fmt(r.score),
                  },
                ]}
              />
            </div>
          </section>
        </>
      )}
    </article>
  );
}
