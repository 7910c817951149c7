import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { Loading } from "../../components/Loading.tsx";
import { ProblemAlert } from "../../components/ProblemAlert.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { useEvaluation } from "./api.ts";
import { EvaluationReport } from "./EvaluationReport.tsx";

/**
 * The evaluation report alone, for paper: no portal or console frame. The server's PDF is this
 * page printed by a headless Chromium (server/src/governance/print.ts), which waits for
 * `data-print-state` to say `ready` (data in, charts drawn) or `error`. Opened in a browser it
 * reads the API with the person's own session, so it shows only what they may see.
 */
export function PrintEvaluationPage() {
  const { t, date } = useI18n();
  const [params] = useSearchParams();
  const month = /^\d{4}-\d{2}$/.test(params.get("month") ?? "")
    ? params.get("month")!
    : "";
  const report = useEvaluation(month);
  const [drawn, setDrawn] = useState(false);
  const onReady = useCallback(() => setDrawn(true), []);
  // the PDF's title (Chromium takes it from the page), set once the report is in: after the app's own title
  useEffect(() => {
    if (report.data)
      document.title = t("evaluation.title", { month: report.data.month });
  }, [report.data, t]);
  const state = report.isError ? "error" : drawn ? "ready" : "loading";
  return (
    <main id="main" className="print-page" data-print-state={state}>
      {report.isError ? (
        <ProblemAlert error={report.error} />
      ) : report.isPending ? (
        <Loading rows={8} />
      ) : (
        <>
          <EvaluationReport report={report.data} onReady={onReady} />
          <p className="evaluation-footer">
            {t("evaluation.generated", { at: date(new Date().toISOString()) })}
          </p>
        </>
      )}
    </main>
  );
}
