import type { OrderView } from './order-views.js';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character]!);
}

/** 1234 USD → `12.34 USD` (two decimals; the currency code keeps it unambiguous). */
export function formatMoney(amount: number, currency: string): string {
  const sign = amount < 0 ? '-' : '';
  const absolute = Math.abs(amount);
  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')} ${currency}`;
}

/** A self-contained, printable HTML invoice (no PDF library is installed: print it to PDF from the browser). */
export function renderInvoice(input: { shopName: string; invoiceNumber: string; issuedAt: Date; order: OrderView }): string {
  const { order } = input;
  const money = (amount: number) => escapeHtml(formatMoney(amount, order.currency));
  const rows = order.lines
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.sku)}</td><td>${escapeHtml(line.name)}</td><td class="n">${line.quantity}</td><td class="n">${money(line.unit_price)}</td><td class="n">${money(line.total)}</td></tr>`,
    )
    .join('\n');
  const totals: [string, number][] = [
    ['Subtotal', order.subtotal],
    ...order.discounts.map((discount): [string, number] => [`Discount: ${discount.label}`, -discount.amount]),
    ['Shipping', order.shipping],
    ['Tax', order.tax],
  ];
  if (order.refunded_amount) totals.push(['Refunded', -order.refunded_amount]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice ${escapeHtml(input.invoiceNumber)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}td,th{padding:.4rem;border-bottom:1px solid #ddd;text-align:left}.n{text-align:right}tfoot td{border:0}</style>
</head><body>
<h1>Invoice ${escapeHtml(input.invoiceNumber)}</h1>
<p><strong>${escapeHtml(input.shopName)}</strong><br>Issued ${escapeHtml(input.issuedAt.toISOString().slice(0, 10))} · Order ${escapeHtml(order.number)}</p>
<p>Billed to: ${escapeHtml(order.customer.name ?? '')} &lt;${escapeHtml(order.customer.email)}&gt;</p>
<table><thead><tr><th>SKU</th><th>Item</th><th class="n">Qty</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot>
${totals.map(([label, amount]) => `<tr><td colspan="4" class="n">${escapeHtml(label)}</td><td class="n">${money(amount)}</td></tr>`).join('\n')}
<tr><td colspan="4" class="n"><strong>Total</strong></td><td class="n"><strong>${money(order.total)}</strong></td></tr>
</tfoot></table>
</body></html>
`;
}
