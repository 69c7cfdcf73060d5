/** The order as `GET /shop/orders/:id` answers it (the fields the order view reads). */
export interface OrderLine {
  id: string;
  product_id: string | null;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  total: number;
  refunded_quantity: number;
  refunded_amount: number;
}

export type OrderStatus = 'pending' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded';

export interface HistoryEntry {
  id: string;
  kind: 'status' | 'note' | 'payment' | 'refund';
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  actor_id: string | null;
  amount: number | null;
  created_at: string;
}

export interface OrderDetail {
  id: string;
  number: string;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discount: number;
  discounts: { code: string; label: string; amount: number }[];
  shipping: number;
  shipping_rate: string | null;
  tax: number;
  total: number;
  refunded_amount: number;
  payment_intent_id: string | null;
  source: string | null;
  invoice_number: string | null;
  customer: { id: string; email: string; name: string | null };
  placed_at: string;
  paid_at: string | null;
  lines: OrderLine[];
  history: HistoryEntry[];
}

/** What the shop's permissions let the user do with this order now. */
export interface OrderAbilities {
  fulfil: boolean;
  refund: boolean;
  cancel: boolean;
  note: boolean;
}
