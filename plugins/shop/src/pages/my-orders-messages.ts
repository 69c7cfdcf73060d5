import { defineMessages } from '@plinth/sdk';

/** The words of the "my orders" page (English and Arabic). */
export const myOrdersMessages = defineMessages({
  en: {
    title: 'Your orders',
    none: 'You have no orders yet.',
    order: 'Order {number}',
    placed: 'Placed {date}',
    receipt: 'Receipt',
    more: 'Older orders',
    account: 'Your account',
    pending: 'Awaiting payment',
    paid: 'Paid',
    fulfilled: 'Fulfilled',
    cancelled: 'Cancelled',
    refunded: 'Refunded',
  },
  ar: {
    title: 'طلباتك',
    none: 'ليس لديك طلبات بعد.',
    order: 'الطلب {number}',
    placed: 'بتاريخ {date}',
    receipt: 'الإيصال',
    more: 'طلبات أقدم',
    account: 'حسابك',
    pending: 'في انتظار الدفع',
    paid: 'مدفوع',
    fulfilled: 'تم التسليم',
    cancelled: 'ملغى',
    refunded: 'مسترد',
  },
});
