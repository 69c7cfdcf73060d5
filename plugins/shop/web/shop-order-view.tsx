import { defineScreen } from '../../../web-kit/elements';
import { OrderView } from './parts/order-view';

defineScreen('shop-order-view', OrderView);
