import { defineScreen } from '../../../web-kit/elements';
import { ShortLinkAnalyticsScreen } from './parts/analytics-short-link';

defineScreen('bio-short-link-analytics', ShortLinkAnalyticsScreen);
