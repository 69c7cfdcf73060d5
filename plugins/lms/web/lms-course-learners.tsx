import { defineScreen } from '../../../web-kit/elements';
import { LearnersScreen } from './parts/learners-screen';

defineScreen('lms-course-learners', LearnersScreen);
