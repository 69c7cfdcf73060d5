/** The tenant's invoices from the host (`/settings/billing/invoices`): the list with PDF downloads, and one invoice's lines. */
import { download, get } from './api';
import { billingText as t } from './billing-messages';
import { dayOf, type Invoice } from './billing-model';
import { formatMoney, formatNumber } from './format';
import { LoadedList, Table, usePagedList } from './list';
import { navigate, type Location } from './router';
import { tenantPath, useTenant } from './session';
import { ErrorBanner, Loading, PageHeader, Pager, useAction, useLoad } from './ui';
import './billing.css';

const statusClass = (status: Invoice['status']) => (status === 'paid' ? 'badge on' : status === 'open' ? 'badge warn' : 'badge');

/** The trail back to the billing page. */
function BillingCrumbs({ invoice }: { invoice?: string }) {
  const tenant = useTenant();
  const billing = tenantPath(tenant.slug, '/settings/billing');
  return (
    <nav class="breadcrumb" aria-label={t('breadcrumbs')}>
      <a href={billing}>{t('title')}</a>
      {invoice && (
        <>
          {' / '}
          <a href={`${billing}/invoices`}>{t('invoices')}</a>
        </>
      )}
    </nav>
  );
}

/** Saves an invoice's PDF as the signed-in user. */
function usePdf(invoice: Pick<Invoice, 'id' | 'number'>) {
  const tenant = useTenant();
  return useAction(async () => {
    const { blob, filename } = await download(`/billing/invoices/${invoice.id}/pdf`, { tenant: tenant.slug });
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement('a'), { href: url, download: filename ?? `${invoice.number}.pdf` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
}

function PdfButton({ invoice }: { invoice: Invoice }) {
  const pdf = usePdf(invoice);
  return (
    <>
      <button type="button" class="secondary" disabled={pdf.busy} aria-label={t('downloadPdfOf', { number: invoice.number })} onClick={() => void pdf.run()}>
        {t('downloadPdf')}
      </button>
      {pdf.error ? <ErrorBanner error={pdf.error} /> : null}
    </>
  );
}

const period = (invoice: Invoice, timeZone: string) =>
  invoice.period_start && invoice.period_end ? t('range', { from: dayOf(invoice.period_start, timeZone), to: dayOf(invoice.period_end, timeZone) }) : '—';

export function InvoicesPage({ location }: { location: Location }) {
  const tenant = useTenant();
  const list = usePagedList<Invoice>('/billing/invoices', location, { tenant: tenant.slug });
  return (
    <section class="billing">
      <BillingCrumbs />
      <PageHeader title={t('invoices')} />
      <LoadedList list={list} items={list.data?.data} empty={t('noInvoices')}>
        {(invoices) => (
          <Table columns={[t('number'), t('date'), t('period'), t('total'), t('status')]} actions>
            {invoices.map((invoice) => (
              <tr key={invoice.id} data-invoice={invoice.number}>
                <td data-label={t('number')}>
                  <a href={tenantPath(tenant.slug, `/settings/billing/invoices/${invoice.id}`)}>
                    <bdi>{invoice.number}</bdi>
                  </a>
                </td>
                <td data-label={t('date')}>{dayOf(invoice.issued_at, tenant.timeZone)}</td>
                <td data-label={t('period')}>{period(invoice, tenant.timeZone)}</td>
                <td data-label={t('total')} class="number">
                  {formatMoney(Number(invoice.total), invoice.currency)}
                </td>
                <td data-label={t('status')}>
                  <span class={statusClass(invoice.status)}>{t(`invoice_${invoice.status}`)}</span>
                </td>
                <td class="row-actions">
                  <PdfButton invoice={invoice} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      <Pager pagination={list.data?.pagination} onPage={(page) => navigate(tenantPath(tenant.slug, `/settings/billing/invoices?page=${page}`))} />
    </section>
  );
}

export function InvoicePage({ id }: { id: string }) {
  const tenant = useTenant();
  const invoice = useLoad(() => get<Invoice>(`/billing/invoices/${encodeURIComponent(id)}`, { tenant: tenant.slug }), [tenant.slug, id]);
  const data = invoice.data;
  return (
    <section class="billing">
      <BillingCrumbs invoice={id} />
      {invoice.error ? (
        <ErrorBanner error={invoice.error} />
      ) : !data ? (
        <Loading />
      ) : (
        <>
          <PageHeader title={t('invoiceTitle', { number: data.number })}>
            <PdfButton invoice={data} />
          </PageHeader>
          <div class="panel">
            <dl class="facts">
              <dt>{t('status')}</dt>
              <dd>
                <span class={statusClass(data.status)}>{t(`invoice_${data.status}`)}</span>
              </dd>
              <dt>{t('issued')}</dt>
              <dd>{dayOf(data.issued_at, tenant.timeZone)}</dd>
              {data.paid_at && (
                <>
                  <dt>{t('paidOn')}</dt>
                  <dd>{dayOf(data.paid_at, tenant.timeZone)}</dd>
                </>
              )}
              <dt>{t('period')}</dt>
              <dd>{period(data, tenant.timeZone)}</dd>
              {data.billing_name && (
                <>
                  <dt>{t('billedTo')}</dt>
                  <dd>
                    <bdi>{data.billing_name}</bdi>
                  </dd>
                </>
              )}
            </dl>
          </div>
          <Table columns={[t('description'), t('period'), t('amount')]}>
            {(data.lines ?? []).map((line, index) => (
              <tr key={index}>
                <td data-label={t('description')} class="wrap">
                  <bdi>{line.description}</bdi>
                </td>
                <td data-label={t('period')}>
                  {line.period_start && line.period_end
                    ? t('range', { from: dayOf(line.period_start, tenant.timeZone), to: dayOf(line.period_end, tenant.timeZone) })
                    : '—'}
                </td>
                <td data-label={t('amount')} class="number">
                  {formatMoney(Number(line.amount), data.currency)}
                </td>
              </tr>
            ))}
          </Table>
          <dl class="facts billing-totals">
            <dt>{t('subtotal')}</dt>
            <dd class="number">{formatMoney(Number(data.subtotal), data.currency)}</dd>
            <dt>{data.tax_rate !== null && data.tax_rate !== undefined ? t('taxRate', { rate: formatNumber(Number(data.tax_rate)) }) : t('tax')}</dt>
            <dd class="number">{formatMoney(Number(data.tax), data.currency)}</dd>
            <dt>{t('total')}</dt>
            <dd class="number">
              <strong>{formatMoney(Number(data.total), data.currency)}</strong>
            </dd>
          </dl>
        </>
      )}
    </section>
  );
}
