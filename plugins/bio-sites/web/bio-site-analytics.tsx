import { defineScreen } from '../../../web-kit/elements';
import { SiteAnalyticsScreen } from './parts/analytics-site';

defineScreen('bio-site-analytics', SiteAnalyticsScreen);
