import { Button, Select } from "antd";
import { useSearchParams } from "react-router";
import { Field } from "../../components/Field.tsx";
import { Loading } from "../../components/Loading.tsx";
import { ProblemAlert } from "../../components/ProblemAlert.tsx";
import { useI18n } from "../../i18n/i18n.tsx";
import { may, useMe } from "../session/api.ts";
import { evaluationFile, lastMonth, useEvaluation } from "./api.ts";
import { EvaluationReport } from "./EvaluationReport.tsx";

/** The 24 months before this one, newest first. */
function recentMonths(): string[] {
  const now = new Date();
  return Array.from({ length: 24 }, (_, i) =>
    lastMonth(new Date(now.getFullYear(), now.getMonth() - i, 15)),
  );
}

/**
 * 考核评价: the authority's monthly evaluation of the departments (an officer sees their own
 * department's row). The month is in the URL; the report prints from the browser (print CSS
 * leaves the console's frame out) or comes as .xlsx and as a PDF the server prints.
 */
export function EvaluationPage() {
  const { t } = useI18n();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const months = recentMonths();
  const month = months.includes(params.get("month") ?? "")
    ? params.get("month")!
    : months[0];
  const report = useEvaluation(month);
  const mayPrint = me ? may(me, "printEvaluation") : false;
  return (
    <>
      <div className="evaluation-toolbar">
        <Field label={t("evaluation.month")}>
          {(id) => (
            <Select
              id={id}
              style={{ minWidth: 130 }}
              value={month}
              onChange={(v) => setParams({ month: v })}
              options={months.map((m) => ({ value: m, label: m }))}
            />
          )}
        </Field>
        <Button onClick={() => window.print()}>{t("evaluation.print")}</Button>
        <Button href={evaluationFile(month, "xlsx")}>
          {t("evaluation.xlsx")}
        </Button>
        {mayPrint && (
          <Button href={evaluationFile(month, "pdf")}>
            {t("evaluation.pdf")}
          </Button>
        )}
      </div>
      {report.isError ? (
        <ProblemAlert error={report.error} onRetry={() => report.refetch()} />
      ) : report.isPending ? (
        <Loading rows={8} />
      ) : (
        <EvaluationReport report={report.data} />
      )}
    </>
  );
}
