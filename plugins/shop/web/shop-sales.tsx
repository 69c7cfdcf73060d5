import { defineScreen } from '../../../web-kit/elements';
import { SalesOverview } from './parts/sales-overview';

defineScreen('shop-sales', SalesOverview);
