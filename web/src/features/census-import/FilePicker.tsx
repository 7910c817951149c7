import { UploadOutlined } from '@ant-design/icons';
import { Button, Space, Upload } from 'antd';
import { useI18n } from '../../i18n/i18n.tsx';

/**
 * One file chosen with antd's Upload and kept in the page until the form is sent: the button and the
 * "nothing chosen" text are in the person's language (the browser's own file input speaks the
 * browser's). `id` is the hidden input's, so a `<label htmlFor>` names it.
 */
export function FilePicker({ id, accept, file, onFile, disabled }: { id: string; accept: string; file: File | null; onFile: (f: File | null) => void; disabled?: boolean }) {
  const { t } = useI18n();
  return (
    <Space wrap className="file-picker">
      <Upload
        id={id}
        accept={accept}
        maxCount={1}
        showUploadList={false}
        disabled={disabled}
        beforeUpload={(f) => {
          onFile(f);
          // held by the page and sent with the form
          return false;
        }}
      >
        <Button icon={<UploadOutlined />} disabled={disabled}>
          {file ? t('censusImport.pickAnother') : t('censusImport.pick')}
        </Button>
      </Upload>
      <span className="file-picker-name" aria-live="polite">
        {file ? file.name : t('censusImport.noFile')}
      </span>
    </Space>
  );
}
